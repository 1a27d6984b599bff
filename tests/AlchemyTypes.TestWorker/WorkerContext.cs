using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.TestWorker;

/// <summary>
/// The worker's context: one entity with a file property, so that AlchemyTypes maps its recorded-delete table. The entity's
/// own table is never used; the worker only processes recorded deletes.
/// </summary>
internal sealed class WorkerContext(DbContextOptions<WorkerContext> options) : DbContext(options)
{
    public DbSet<WorkerFileHolder> Holders => Set<WorkerFileHolder>();
}

/// <summary>An entity with a FileObject (never stored by the worker).</summary>
internal sealed class WorkerFileHolder
{
    public int Id { get; set; }

    public FileObject? File { get; set; }
}
