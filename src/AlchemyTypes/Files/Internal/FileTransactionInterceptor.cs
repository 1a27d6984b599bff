using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.Files.Internal;

/// <summary>Tells the FileObject lifecycle when an EF Core transaction starts, commits, rolls back or fails, and about its savepoints.</summary>
internal sealed class FileTransactionInterceptor(FileLifecycle files) : IDbTransactionInterceptor
{
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        files.TransactionStarted(eventData.TransactionId);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
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
        files.TransactionFailed(eventData.TransactionId, eventData.Action);
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    public void CreatedSavepoint(DbTransaction transaction, TransactionEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        files.SavepointCreated(eventData.TransactionId);
    }

    public Task CreatedSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        CreatedSavepoint(transaction, eventData);
        return Task.CompletedTask;
    }

    public void RolledBackToSavepoint(DbTransaction transaction, TransactionEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        files.RolledBackToSavepointAsync(eventData.TransactionId, async: false).GetAwaiter().GetResult();
    }

    public Task RolledBackToSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        return files.RolledBackToSavepointAsync(eventData.TransactionId, async: true);
    }

    public void ReleasedSavepoint(DbTransaction transaction, TransactionEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        files.SavepointReleased(eventData.TransactionId);
    }

    public Task ReleasedSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken cancellationToken = default)
    {
        ReleasedSavepoint(transaction, eventData);
        return Task.CompletedTask;
    }
}
