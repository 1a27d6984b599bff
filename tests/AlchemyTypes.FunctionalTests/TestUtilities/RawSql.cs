using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>Raw SQL in tests that runs on every test database: identifiers delimited the way the context's provider does.</summary>
public static class RawSql
{
    /// <summary><c>"Name"</c> on SQLite and PostgreSQL, <c>`Name`</c> on MariaDB/MySQL.</summary>
    public static string Quote(this DbContext context, string identifier)
        => context.GetService<ISqlGenerationHelper>().DelimitIdentifier(identifier);
}
