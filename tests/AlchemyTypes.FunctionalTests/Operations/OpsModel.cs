using System.ComponentModel.DataAnnotations;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Operations;

public sealed class Report : UuidV7Entity
{
    [MaxLength(100)]
    public string Title { get; set; } = "";

    public FileObject? File { get; set; }
}

public sealed class OpsContext(DbContextOptions<OpsContext> options) : DbContext(options)
{
    public DbSet<Report> Reports => Set<Report>();

    /// <summary>A context on <paramref name="database"/> whose only backend is <paramref name="backend"/>, called <paramref name="name"/>.</summary>
    public static OpsContext Create(TestDatabase database, string name, IStorageBackend backend)
    {
        var builder = new DbContextOptionsBuilder<OpsContext>();
        database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage(name, backend));
        return new OpsContext(builder.Options);
    }
}
