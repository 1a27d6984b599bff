using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>A principal whose documents EF Core removes by cascade when the folder is removed.</summary>
public sealed class ModelFolder
{
    public int Id { get; set; }

    [MaxLength(40)]
    public string Name { get; set; } = "";

    public List<ModelDoc> Docs { get; set; } = [];
}

/// <summary>A row with every shape of file reference: two single properties, a list, an owned entity and a child entity.</summary>
public sealed class ModelDoc
{
    public int Id { get; set; }

    [MaxLength(40)]
    public string Name { get; set; } = "";

    public int FolderId { get; set; }

    public ModelFolder? Folder { get; set; }

    public FileObject? Main { get; set; }

    public FileObject? Extra { get; set; }

    public FileObjectList Attachments { get; set; } = [];

    /// <summary>Owned: stored in the document's own row.</summary>
    public ModelStamp? Stamp { get; set; }

    /// <summary>A child row (one-to-one, ON DELETE CASCADE in the database).</summary>
    public ModelNote? Note { get; set; }
}

/// <summary>An owned entity holding a file.</summary>
public sealed class ModelStamp
{
    [MaxLength(40)]
    public string Label { get; set; } = "";

    public FileObject? File { get; set; }
}

/// <summary>A child entity holding a file, in a table of its own.</summary>
public sealed class ModelNote
{
    public int Id { get; set; }

    public int DocId { get; set; }

    [MaxLength(40)]
    public string Text { get; set; } = "";

    public FileObject? File { get; set; }
}

/// <summary>The model-based lifecycle test's context (constructor fit for <c>AddDbContextPool</c> and <c>PooledDbContextFactory</c>).</summary>
public sealed class ModelContext(DbContextOptions<ModelContext> options) : DbContext(options)
{
    public DbSet<ModelFolder> Folders => Set<ModelFolder>();

    public DbSet<ModelDoc> Docs => Set<ModelDoc>();

    public DbSet<ModelNote> Notes => Set<ModelNote>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ModelFolder>().HasMany(f => f.Docs).WithOne(d => d.Folder).HasForeignKey(d => d.FolderId).OnDelete(DeleteBehavior.Cascade);
        modelBuilder.Entity<ModelDoc>().HasIndex(d => d.Name).IsUnique();
        modelBuilder.Entity<ModelDoc>().OwnsOne(d => d.Stamp);
        modelBuilder.Entity<ModelDoc>().HasOne(d => d.Note).WithOne().HasForeignKey<ModelNote>(n => n.DocId).OnDelete(DeleteBehavior.Cascade);
    }
}
