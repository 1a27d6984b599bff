using System.ComponentModel.DataAnnotations;
using System.ComponentModel.DataAnnotations.Schema;
using AlchemyTypes.Entities;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Files;

public sealed class Document : UuidV7Entity
{
    [MaxLength(100)]
    public string Name { get; set; } = "";

    public FileObject? File { get; set; }

    public FileObjectList Attachments { get; set; } = [];

    [ConcurrencyCheck]
    public int Version { get; set; }
}

public sealed class Avatar : BigIntEntity
{
    [MaxFileSize(1000)]
    [AllowedContentTypes("image/png", "image/webp")]
    public FileObject? Image { get; set; }

    [FileStorage("secondary")]
    public FileObject? Backup { get; set; }
}

/// <summary>A row with an owned entity, an EF complex type and child rows (cascade delete), each holding files.</summary>
public sealed class Folder : UuidV7Entity
{
    [MaxLength(100)]
    public string Name { get; set; } = "";

    public Cover Cover { get; set; } = new();

    public Envelope Envelope { get; set; } = new();

    public List<Page> Pages { get; set; } = [];
}

[Owned]
public sealed class Cover
{
    public int Revision { get; set; }

    public FileObject? Image { get; set; }
}

[ComplexType]
public sealed class Envelope
{
    [MaxLength(50)]
    public string Label { get; set; } = "";

    public FileObject? Scan { get; set; }
}

public sealed class Page : UuidV7Entity
{
    public Guid FolderId { get; set; }

    public int Number { get; set; }

    public FileObject? File { get; set; }
}

public sealed class LifecycleContext(DbContextOptions<LifecycleContext> options) : DbContext(options)
{
    public DbSet<Document> Documents => Set<Document>();

    public DbSet<Avatar> Avatars => Set<Avatar>();

    public DbSet<Folder> Folders => Set<Folder>();

    public DbSet<Page> Pages => Set<Page>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Document>().HasIndex(d => d.Name).IsUnique();
        modelBuilder.Entity<Folder>().HasMany(f => f.Pages).WithOne().HasForeignKey(p => p.FolderId).OnDelete(DeleteBehavior.Cascade);
    }
}
