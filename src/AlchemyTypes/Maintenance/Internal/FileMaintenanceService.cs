using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>Runs outbox processing and reconciliation on a schedule, one instance at a time (see <see cref="MaintenanceLock"/>).</summary>
internal sealed class FileMaintenanceService<TContext>(IServiceScopeFactory scopes, FileMaintenanceServiceOptions options, ILoggerFactory loggerFactory)
    : BackgroundService
    where TContext : DbContext
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("AlchemyTypes.Maintenance");

    /// <summary>One run: take the lock, process recorded deletes, reconcile, release.</summary>
    public static async Task<FileMaintenanceRun> RunOnceAsync(TContext context, FileMaintenanceServiceOptions options, ILogger logger,
        CancellationToken cancellationToken)
    {
        options.Validate();
        var held = await MaintenanceLock.TryAcquireAsync(context, logger, cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            logger.LogInformation("AlchemyTypes file maintenance skipped: another instance holds the maintenance lease.");
            return new FileMaintenanceRun(false, null, null);
        }

        await using (held.ConfigureAwait(false))
        {
            // The run stops (safely, as at any cancellation) if the lease is lost.
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, held.Lost);
            cancellationToken = both.Token;
            PendingStorageDeleteReport? deletes = null;
            FileReconcileReport? reconcile = null;
            if (options.ProcessPendingDeletes)
            {
                deletes = await context.ProcessPendingStorageDeletesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                logger.LogInformation("AlchemyTypes file maintenance: {Deleted} recorded deletes done, {Failed} "
                    + "failed.", deletes.Deleted, deletes.Failures.Count);
            }

            if (options.ReconcileFiles)
            {
                reconcile = await context.ReconcileFilesAsync(options.Reconcile, null, cancellationToken).ConfigureAwait(false);
            }

            return new FileMaintenanceRun(true, deletes, reconcile);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.InitialDelay, stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var scope = scopes.CreateAsyncScope();
                    await using (scope.ConfigureAwait(false))
                    {
                        var context = scope.ServiceProvider.GetRequiredService<TContext>();
                        await RunOnceAsync(context, options, _logger, stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed run (database or storage down) is logged and retried at the next interval; the host keeps running.
                    _logger.LogError(ex, "AlchemyTypes file maintenance failed; it runs again in {Interval}.", options.Interval);
                }

                await Task.Delay(options.Interval, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping: a run in progress stopped between batches; recorded deletes stay recorded.
        }
    }
}
