using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.CrashWorker;

/// <summary>
/// Where the crash test asks the worker to stop so that its SIGKILL lands exactly there: the worker writes
/// <c>P &lt;phase&gt;</c> on the n-th time it reaches the phase, then blocks until it is killed.
/// <list type="bullet">
/// <item><c>after-upload</c>: an upload of the save has returned (the object is stored), nothing is committed.</item>
/// <item><c>before-commit</c>: the statements ran, the COMMIT is not sent.</item>
/// <item><c>after-commit</c>: the database committed, the application has not heard (an outcome it never learns).</item>
/// <item><c>before-delete</c>: committed; the post-commit delete of a replaced or removed file is about to start.</item>
/// </list>
/// </summary>
internal sealed class CrashPoint(string phase, int occurrence, TextWriter output) : DbTransactionInterceptor
{
    private int _seen;

    /// <summary>Parses <c>hang:&lt;phase&gt;:&lt;n&gt;</c>.</summary>
    public static CrashPoint? Parse(string? argument, TextWriter output)
    {
        if (argument is null)
        {
            return null;
        }

        var parts = argument.Split(':');
        if (parts.Length != 3 || parts[0] != "hang" || !CrashWindows.All.Contains(parts[1]) || !int.TryParse(parts[2], out var n) || n < 1)
        {
            throw new ArgumentException($"'{argument}' is not hang:<{string.Join('|', CrashWindows.All)}>:<n ≥ 1>");
        }

        return new CrashPoint(parts[1], n, output);
    }

    /// <summary>Listens to the library's storage spans: an upload's end and a delete's start.</summary>
    public ActivityListener Listen()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "AlchemyTypes",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity =>
            {
                if (activity.OperationName is "alchemytypes.delete" or "alchemytypes.delete_many")
                {
                    Reached("before-delete");
                }
            },
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "alchemytypes.upload")
                {
                    Reached("after-upload");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    public override InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        Reached("before-commit");
        return result;
    }

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(
        DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Reached("before-commit");
        return ValueTask.FromResult(result);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Reached("after-commit");

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Reached("after-commit");
        return Task.CompletedTask;
    }

    private void Reached(string reached)
    {
        if (reached != phase || Interlocked.Increment(ref _seen) != occurrence)
        {
            return;
        }

        output.WriteLine($"P {phase}"); // Console.Out is synchronized; the flush also pushes the save's "B" line out first
        output.Flush();

        // Blocks this thread (and with it the save) until the test's SIGKILL.
        Thread.Sleep(Timeout.Infinite);
    }
}
