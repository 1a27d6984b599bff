using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.Files.Internal;

/// <summary>
/// Sees savepoint rollbacks written as SQL (<c>ROLLBACK TO SAVEPOINT</c> through <c>ExecuteSqlRaw</c>), which EF Core's
/// transaction events never report. The outbox rows recorded after the savepoint were taken back by the database, but the
/// lifecycle still holds them in memory: after such a rollback, the transaction runs none of its recorded deletes itself at
/// the commit, and the rows that really committed are processed from the outbox (<c>ProcessPendingStorageDeletesAsync</c>).
/// Files uploaded after the savepoint stay in storage as orphans (reconciliation removes them), never a lost file.
/// </summary>
internal sealed partial class RawSavepointInterceptor(FileLifecycle files) : DbCommandInterceptor
{
    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Check(command, eventData);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Check(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Check(command, eventData);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(
        DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        Check(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData)
    {
        // A failed savepoint command has an unknown effect: treated like a rollback to it.
        Check(command, eventData);
    }

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Check(command, eventData);
        return Task.CompletedTask;
    }

    private void Check(DbCommand command, CommandEventData eventData)
    {
        if (eventData.Context?.Database.CurrentTransaction is { } transaction && SavepointRollback().IsMatch(command.CommandText))
        {
            files.RawSavepointRolledBack(transaction.TransactionId);
        }
    }

    // PostgreSQL, SQLite, MySQL/MariaDB: ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name; SQL Server: ROLLBACK TRAN[SACTION] name.
    [GeneratedRegex(
        @"\bROLLBACK\s+((WORK|TRANSACTION|TRAN)\s+)?TO\b|\bROLLBACK\s+TRAN(SACTION)?\s+(?!;)\S",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SavepointRollback();
}
