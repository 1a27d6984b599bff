using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// The fault armed for the current call and what happened to it. Shared by the interceptors and the storage wrapper of
/// one test class; the runner arms it around one SaveChanges or Commit and disarms it afterwards.
/// </summary>
public sealed class ModelFaults
{
    public Fault Armed { get; private set; }

    /// <summary>The fault actually happened (a save without uploads never reaches an upload fault).</summary>
    public bool Fired { get; private set; }

    /// <summary>The COMMIT of the call succeeded on the server (seen by the transaction interceptor).</summary>
    public bool CommitSucceeded { get; private set; }

    public CancellationTokenSource? Cancellation { get; private set; }

    public void Arm(Fault fault, CancellationTokenSource? cancellation)
    {
        Armed = fault;
        Cancellation = cancellation;
        Fired = false;
        CommitSucceeded = false;
    }

    public void Disarm()
    {
        Armed = Fault.None;
        Cancellation = null;
    }

    /// <summary>Fires <paramref name="fault"/> if it is the armed one (once per call).</summary>
    public bool Take(Fault fault)
    {
        if (Armed != fault || Fired)
        {
            return false;
        }

        Fired = true;
        if (fault is Fault.CancelAtUpload or Fault.CancelAtSql or Fault.CancelBeforeCommit or Fault.CancelAfterCommit)
        {
            Cancellation?.Cancel();
        }

        return true;
    }

    public void SawCommit() => CommitSucceeded = true;
}

/// <summary>A failure of the database connection, as a provider reports it (the library cannot tell it from a real one).</summary>
public sealed class InjectedDbException(string message) : DbException(message);

/// <summary>Fails or cancels around COMMIT: before it is sent, or after the server committed.</summary>
public sealed class CommitFaultInterceptor(ModelFaults faults) : DbTransactionInterceptor
{
    public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Before();
        return result;
    }

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Before();
        return ValueTask.FromResult(result);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => After();

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        After();
        return Task.CompletedTask;
    }

    private void Before()
    {
        faults.Take(Fault.CancelBeforeCommit);
        if (faults.Take(Fault.CommitFailsBeforeServer))
        {
            throw new InjectedDbException("injected: the connection dropped before COMMIT was sent");
        }
    }

    private void After()
    {
        faults.SawCommit();
        faults.Take(Fault.CancelAfterCommit);
        if (faults.Take(Fault.CommitFailsAfterServer))
        {
            throw new InjectedDbException("injected: COMMIT reached the server and committed, then the connection dropped");
        }
    }
}

/// <summary>Cancels the caller's token when the first SQL command of the call is about to be sent.</summary>
public sealed class SqlCancelInterceptor(ModelFaults faults) : DbCommandInterceptor
{
    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        faults.Take(Fault.CancelAtSql);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        faults.Take(Fault.CancelAtSql);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        faults.Take(Fault.CancelAtSql);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        faults.Take(Fault.CancelAtSql);
        return ValueTask.FromResult(result);
    }
}
