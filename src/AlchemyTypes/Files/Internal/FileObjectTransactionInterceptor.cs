using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.Files.Internal;

/// <summary>Tells the FileObject lifecycle when an EF Core transaction starts, commits, rolls back or fails.</summary>
internal sealed class FileObjectTransactionInterceptor(FileObjectLifecycle files) : IDbTransactionInterceptor
{
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        files.TransactionStarted(eventData.TransactionId);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        files.TransactionCommittedAsync(eventData.TransactionId, async: false).GetAwaiter().GetResult();
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        return files.TransactionCommittedAsync(eventData.TransactionId, async: true);
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        files.TransactionRolledBackAsync(eventData.TransactionId, async: false).GetAwaiter().GetResult();
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        return files.TransactionRolledBackAsync(eventData.TransactionId, async: true);
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        files.TransactionFailed(eventData.TransactionId);
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }
}
