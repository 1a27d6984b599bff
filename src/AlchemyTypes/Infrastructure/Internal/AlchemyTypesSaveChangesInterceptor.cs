using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.Infrastructure.Internal;

/// <summary>
/// The thin dispatcher around EF Core's SaveChanges, once per context (scoped): detects changes once, then runs every
/// concept's <see cref="ISaveChangesStep"/> in order (auditing, UTC checks, encryption, passwords, files) and tells them
/// when the save succeeded or failed. The concepts' own logic lives in their steps, never here.
/// </summary>
internal sealed class AlchemyTypesSaveChangesInterceptor(IEnumerable<ISaveChangesStep> steps) : ISaveChangesInterceptor
{
    private readonly ISaveChangesStep[] _steps = [.. steps.OrderBy(s => s.Order)];

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            SavingAsync(context, async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return result;
    }

    public async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData,
        InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            await SavingAsync(context, async: true, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            SavedAsync(context, async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        return result;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            await SavedAsync(context, async: true, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            FailedAsync(context, async: false).AsTask().GetAwaiter().GetResult();
        }
    }

    public async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            await FailedAsync(context, async: true).ConfigureAwait(false);
        }
    }

    public void SaveChangesCanceled(DbContextEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            FailedAsync(context, async: false).AsTask().GetAwaiter().GetResult();
        }
    }

    public async Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (eventData.Context is { } context)
        {
            await FailedAsync(context, async: true).ConfigureAwait(false);
        }
    }

    private async ValueTask SavingAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        var changeTracker = context.ChangeTracker;
        var autoDetect = changeTracker.AutoDetectChangesEnabled;
        if (autoDetect)
        {
            // SaveChanges calls interceptors before it detects changes: detect now, once, so edits to tracked entities count;
            // every enumeration of Entries() would otherwise detect changes again.
            changeTracker.DetectChanges();
            changeTracker.AutoDetectChangesEnabled = false;
        }

        try
        {
            foreach (var step in _steps)
            {
                await step.SavingChangesAsync(context, async, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            changeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    private async ValueTask SavedAsync(DbContext context, bool async, CancellationToken cancellationToken)
    {
        foreach (var step in _steps)
        {
            await step.SavedChangesAsync(context, async, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask FailedAsync(DbContext context, bool async)
    {
        foreach (var step in _steps)
        {
            await step.SaveChangesFailedAsync(context, async).ConfigureAwait(false);
        }
    }
}
