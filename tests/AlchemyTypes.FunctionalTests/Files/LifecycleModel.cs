using System.ComponentModel.DataAnnotations;
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

public sealed class LifecycleContext(DbContextOptions<LifecycleContext> options) : DbContext(options)
{
    public DbSet<Document> Documents => Set<Document>();

    public DbSet<Avatar> Avatars => Set<Avatar>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
        => modelBuilder.Entity<Document>().HasIndex(d => d.Name).IsUnique();
}
