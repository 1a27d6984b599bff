using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Maintenance;

public sealed class Folder : UuidV7Entity
{
    [MaxLength(100)]
    public string Name { get; set; } = "";

    public FileObject? Cover { get; set; }

    public List<Paper> Papers { get; set; } = [];
}

public sealed class Paper : UuidV7Entity
{
    public Guid FolderId { get; set; }

    [MaxLength(100)]
    public string Name { get; set; } = "";

    public FileObject? File { get; set; }

    public FileObjectList Attachments { get; set; } = [];
}

/// <summary>A row with concurrency tokens the application sets: a GUID version and a revision number.</summary>
public sealed class Contract : UuidV7Entity
{
    [MaxLength(100)]
    public string Name { get; set; } = "";

    [ConcurrencyCheck]
    public Guid Version { get; set; } = Guid.NewGuid();

    public int Revision { get; set; }

    public FileObject? Scan { get; set; }
}

public sealed class MaintenanceContext(DbContextOptions<MaintenanceContext> options) : DbContext(options)
{
    public DbSet<Folder> Folders => Set<Folder>();

    public DbSet<Paper> Papers => Set<Paper>();

    public DbSet<Contract> Contracts => Set<Contract>();

    // A required relationship: EF creates the foreign key with ON DELETE CASCADE in the database.
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Folder>().HasMany(f => f.Papers).WithOne().HasForeignKey(p => p.FolderId).OnDelete(DeleteBehavior.Cascade);
        modelBuilder.Entity<Contract>().Property(c => c.Revision).IsConcurrencyToken();
    }
}
