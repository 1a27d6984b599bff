using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>
/// Whether a context runs on MySQL or MariaDB (Oracle's <c>MySql.EntityFrameworkCore</c> or Pomelo). There the library writes
/// some statements itself: <c>MySql.EntityFrameworkCore</c> 10 translates <c>ExecuteUpdate</c> over <c>Take</c> into
/// <c>UPDATE … AS a SET … FROM (SELECT …)</c> (PostgreSQL syntax) and <c>ExecuteDelete</c> into <c>DELETE FROM t AS a …</c>,
/// which MariaDB 10.11 rejects.
/// </summary>
internal static class MySqlFamily
{
    public static bool Is(DbContext context) => Is(context.Database.ProviderName);

    public static bool Is(string? providerName) => providerName?.Contains("MySql", StringComparison.OrdinalIgnoreCase) == true;
}
