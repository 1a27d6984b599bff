using System.Linq.Expressions;
using AlchemyTypes;
using AlchemyTypes.Maintenance;
using AlchemyTypes.Maintenance.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;

// ReSharper disable once CheckNamespace
namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// File maintenance: reconcile storage with the rows, scrub stored content, and delete rows in bulk together with their files.
/// See docs/maintenance.md.
/// </summary>
public static class FileMaintenanceExtensions
{
    /// <summary>
    /// Compares every storage backend with every FileObject and FileObjectList column of the model. Objects no committed row
    /// references and older than <see cref="FileReconcileOptions.GracePeriod"/> are recorded in the storage delete outbox
    /// (each batch committed, so a crash mid-way loses nothing) and deleted; rows whose object is missing are reported.
    /// Rows are read in one snapshot, a page at a time; rows and listings are sorted in bounded memory (temporary files), so
    /// a million objects take no more memory than <see cref="FileReconcileOptions.SortBufferSize"/> keys.
    /// </summary>
    /// <param name="context">A context configured with AddAlchemyTypes storage, with no open transaction.</param>
    /// <param name="options">Grace period, dry run, backends; the defaults when null.</param>
    /// <param name="progress">Receives progress reports, or null.</param>
    /// <param name="cancellationToken">Stops the run: deletes already recorded stay recorded and are finished by the outbox; run again to continue.</param>
    /// <returns>What was found and done.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The grace period is zero or less, or another option is out of range.</exception>
    /// <exception cref="AlchemyTypesConfigurationException">A backend name is not registered, or no storage is configured.</exception>
    /// <exception cref="AlchemyTypes.Storage.StorageCapabilityException">A backend cannot list its objects.</exception>
    public static Task<FileReconcileReport> ReconcileFilesAsync(
        this DbContext context, FileReconcileOptions? options = null, IProgress<FileMaintenanceProgress>? progress = null,
            CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Reconciler(context, options ?? new FileReconcileOptions(), progress).RunAsync(cancellationToken);
    }

    /// <summary>
    /// Re-reads stored files (all, or a random sample) at a bounded rate and compares each one's size and SHA-256 with what
    /// its row recorded; reports mismatches and missing objects. Reads only: it never changes a row or an object.
    /// </summary>
    /// <param name="context">A context configured with AddAlchemyTypes storage.</param>
    /// <param name="options">Sample rate, rate limit, backends; every file at full speed when null.</param>
    /// <param name="progress">Receives progress reports, or null.</param>
    /// <param name="cancellationToken">Stops the scrub.</param>
    /// <returns>What was read and found.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="AlchemyTypesConfigurationException">A backend name is not registered.</exception>
    public static Task<FileScrubReport> ScrubFilesAsync(
        this DbContext context, FileScrubOptions? options = null, IProgress<FileMaintenanceProgress>? progress = null,
            CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Scrubber(context, options ?? new FileScrubOptions(), progress).RunAsync(cancellationToken);
    }

    /// <summary>
    /// Moves the stored files of every FileObject / FileObjectList property (or of <see cref="FileMoveOptions.Properties"/>)
    /// from one registered backend to another, a committed batch of rows at a time. Each object is copied under the same key
    /// (or a new key when the target already holds that key or a delete is recorded for it: an existing object is never
    /// adopted) and its size and SHA-256 verified against the row while it is copied; then, in one transaction, each row's
    /// JSON is rewritten to name the new backend (only if the row is unchanged since it was read) and a hold on the old object
    /// is recorded in the outbox. The old object stays for <see cref="FileMoveOptions.SourceRetention"/>, so a writer that
    /// loaded the row before the move and saves it afterwards still finds the file; then <c>ReconcileFilesAsync</c> deletes it
    /// if no row references it. Run it again after a crash or a cancellation to continue: rows already moved are skipped.
    /// See docs/moves.md.
    /// </summary>
    /// <param name="context">A context configured with AddAlchemyTypes storage (both backends registered), with no open transaction.</param>
    /// <param name="options">The backends, the properties, the batch size.</param>
    /// <param name="progress">Receives a report after each batch, or null.</param>
    /// <param name="cancellationToken">Stops between batches (or during a batch's copies, which then count for nothing): run again to continue.</param>
    /// <returns>What was moved, and what was left where it was and why.</returns>
    /// <exception cref="ArgumentException">A backend name is missing, both names are the same, or a property name is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The batch size or another option is out of range.</exception>
    /// <exception cref="AlchemyTypesConfigurationException">A backend name is not registered, or no storage is configured.</exception>
    public static Task<FileMoveReport> MoveFilesAsync(
        this DbContext context, FileMoveOptions options, IProgress<FileMaintenanceProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        return new FileMover(context, options, progress).RunAsync(cancellationToken);
    }

    /// <summary>
    /// Deletes every row of <paramref name="set"/> matching <paramref name="predicate"/> in one <c>ExecuteDelete</c> statement,
    /// and records the files of those rows (and of their owned entities) in the storage delete outbox in the same transaction;
    /// after the commit the objects are deleted. Runs in a SERIALIZABLE transaction of its own (PostgreSQL: a concurrent
    /// conflicting write makes one side fail with a serialization error, retry it; SQLite: writers are serialised), or in the
    /// caller's open transaction, whose isolation then decides and whose commit is awaited (the objects are deleted by the
    /// next <c>ProcessPendingStorageDeletesAsync</c>). The files of the matching rows are held in memory (backend and key).
    /// Rows removed by a database <c>ON DELETE CASCADE</c> in other tables are not seen: reconciliation collects their files.
    /// </summary>
    /// <typeparam name="TEntity">The entity type.</typeparam>
    /// <param name="set">The set to delete from.</param>
    /// <param name="predicate">Which rows; all rows when null.</param>
    /// <param name="cancellationToken">Cancels before the commit (nothing is deleted then).</param>
    /// <returns>The number of rows deleted.</returns>
    public static Task<int> ExecuteDeleteWithFilesAsync<TEntity>(
        this DbSet<TEntity> set, Expression<Func<TEntity, bool>>? predicate = null, CancellationToken cancellationToken = default)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(set);
        var context = set.GetService<ICurrentDbContext>().Context;
        return BulkDeleter.RunAsync(context, predicate is null ? set : set.Where(predicate), cancellationToken);
    }
}
