namespace AlchemyTypes.Shared.Threading;

/// <summary>
/// The one way the storage providers run their synchronous members (which exist for EF Core's synchronous
/// <c>SaveChanges</c>): the asynchronous code path runs on the thread pool and the calling thread waits for it.
/// </summary>
/// <remarks>
/// Running on the thread pool means no deadlock under a synchronization context (the continuations never need the waiting
/// thread), and <c>GetAwaiter().GetResult()</c> rethrows the operation's own exception, not an <see cref="AggregateException"/>.
/// One code path per operation also means the synchronous members behave exactly like the asynchronous ones (the AWS SDK
/// has no synchronous API on .NET; the Azure SDK's would be a second path to keep in step). The cost: one thread-pool
/// thread blocked per call. Prefer the asynchronous members.
/// </remarks>
internal static class Synchronously
{
    /// <summary>Runs <paramref name="operation"/> on the thread pool and waits for its result.</summary>
    public static T Run<T>(Func<Task<T>> operation) => Task.Run(operation).GetAwaiter().GetResult();
}
