using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Files;

public sealed class Report
{
    public int Id { get; set; }

    public ReportMeta Meta { get; set; } = new();

    public List<ReportPart> Parts { get; set; } = [];
}

public sealed class ReportMeta
{
    public string Title { get; set; } = "";

    public FileObject? Scan { get; set; }
}

public sealed class ReportPart
{
    public string Name { get; set; } = "";

    public FileObject? File { get; set; }
}

/// <summary>One context per way of putting a file inside a JSON document; <see cref="Shape"/> picks which.</summary>
public sealed class UnprotectedContext(DbContextOptions<UnprotectedContext> options, UnprotectedContext.Kind shape) : DbContext(options)
{
    public enum Kind
    {
        OwnsOneToJson,
        OwnsManyToJson,
        ComplexToJson,
        ComplexCollection,
        NestedInJson,
    }

    public Kind Shape { get; } = shape;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var report = modelBuilder.Entity<Report>();
        switch (Shape)
        {
            case Kind.OwnsOneToJson:
                report.OwnsOne(r => r.Meta, b => b.ToJson());
                report.Ignore(r => r.Parts);
                break;
            case Kind.OwnsManyToJson:
                report.OwnsMany(r => r.Parts, b => b.ToJson());
                report.Ignore(r => r.Meta);
                break;
            case Kind.ComplexToJson:
                report.ComplexProperty(r => r.Meta, b => b.ToJson());
                report.Ignore(r => r.Parts);
                break;
            case Kind.ComplexCollection:
                report.ComplexCollection(r => r.Parts, b => b.ToJson());
                report.Ignore(r => r.Meta);
                break;
            case Kind.NestedInJson:
                report.OwnsOne(r => r.Meta, b => b.ToJson());
                report.OwnsMany(r => r.Parts, b => b.ToJson());
                break;
        }
    }
}

/// <summary>
/// A file inside a JSON document (JSON-owned types, JSON complex types, complex collections) is invisible to reconciliation
/// and bulk deletes (and complex-collection elements to the save step): before, such a model was accepted and its files were
/// deleted as orphans or lost on a move. Such a model is now refused when it is built, with the entity, the property and what
/// to do instead.
/// </summary>
public sealed class UnprotectedFileModelTests
{
    private static readonly InMemoryStorageBackend Files = new();

    private sealed class ModelCacheKeyFactory : Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => (context.GetType(), ((UnprotectedContext)context).Shape, designTime);
    }

    private static UnprotectedContext Create(UnprotectedContext.Kind shape)
        => new(
            new DbContextOptionsBuilder<UnprotectedContext>().ForTests().UseSqlite("Data Source=:memory:")
                .ReplaceService<Microsoft.EntityFrameworkCore.Infrastructure.IModelCacheKeyFactory, ModelCacheKeyFactory>()
                .AddAlchemyTypes(a => a.AddStorage("files", Files)).Options,
            shape);

    [Theory]
    [Promise("P-LIFE-50")]
    [InlineData(UnprotectedContext.Kind.OwnsOneToJson, "ReportMeta.Scan", "ToJson()")]
    [InlineData(UnprotectedContext.Kind.OwnsManyToJson, "ReportPart.File", "ToJson()")]
    [InlineData(UnprotectedContext.Kind.ComplexToJson, ".Scan", "ToJson()")]
    [InlineData(UnprotectedContext.Kind.ComplexCollection, "ReportPart.File", "complex collection 'Report.Parts'")]
    [InlineData(UnprotectedContext.Kind.NestedInJson, "Report", "ToJson()")]
    public void A_file_inside_a_JSON_document_is_refused_when_the_model_is_built(UnprotectedContext.Kind shape, string names, string where)
    {
        using var context = Create(shape);
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => context.Model);
        Assert.Contains(names, error.Message, StringComparison.Ordinal);
        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Contains("column of its own", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Promise("P-LIFE-50")]
    public async Task Owned_and_complex_types_in_columns_of_their_own_stay_supported()
    {
        // The lifecycle suite's Folder: an owned type in the owner's table and a complex property (not JSON), both with files.
        await using var context = new LifecycleContext(new DbContextOptionsBuilder<LifecycleContext>().ForTests()
            .UseSqlite("Data Source=:memory:").AddAlchemyTypes(a => a.AddStorage("files", Files).AddStorage("secondary", Files)).Options);
        await context.Database.OpenConnectionAsync();
        await context.Database.EnsureCreatedAsync();
        context.Add(new Folder
        {
            Name = "f",
            Cover = new Cover { Image = FileObject.FromBytes([1], "c.bin") },
            Envelope = new Envelope { Scan = FileObject.FromBytes([2], "s.bin") },
        });
        await context.SaveChangesAsync();
        Assert.Equal(2, await Files.ListAsync(new AlchemyTypes.Storage.StorageListOptions()).CountAsync());
    }
}
