using AlchemyTypes.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlchemyTypes.AspNetCore.HealthChecks;

/// <summary>
/// Probes every storage backend (or those named) at once: a listing of one key under a random prefix where the backend
/// lists (which also fails on a missing bucket or container), else an existence check of a random key. Nothing is written.
/// Healthy when every backend answers within the timeout; otherwise the registration's failure status, naming each
/// backend that did not answer and why.
/// </summary>
internal sealed class StorageHealthCheck(
    IServiceProvider services, Func<IServiceProvider, StorageRegistry> registryOf, StorageHealthCheckOptions options) : IHealthCheck
{
    private const string ProbePrefix = "alchemytypes-health-probe/";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        StorageRegistry registry;
        List<(string Name, IStorageBackend Storage)> backends;
        try
        {
            registry = registryOf(services);
            backends = [.. (options.Backends ?? registry.Names).Distinct(StringComparer.Ordinal).Select(n => (n, registry.Get(n)))];
        }
        catch (Exception ex) when (ex is AlchemyTypesConfigurationException or InvalidOperationException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "AlchemyTypes storage is not configured: " + ex.Message, ex);
        }

        var results = await Task.WhenAll(backends.Select(b => ProbeAsync(b.Name, b.Storage, cancellationToken))).ConfigureAwait(false);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, type, error) in results)
        {
            data[name] = error is null ? $"{type}: reachable" : $"{type}: unreachable ({error})";
        }

        var failed = results.Where(r => r.Error is not null).ToList();
        if (failed.Count == 0)
        {
            return HealthCheckResult.Healthy($"{results.Length} storage backend{(results.Length == 1 ? "" : "s")} reachable: "
                + string.Join(", ", results.Select(r => $"'{r.Name}'")) + ".", data);
        }

        var description = string.Join("; ", failed.Select(f => $"storage backend '{f.Name}' ({f.Type}) is unreachable: {f.Error}"));
        return new HealthCheckResult(context.Registration.FailureStatus, char.ToUpperInvariant(description[0]) + description[1..] + ".", data: data);
    }

    private async Task<(string Name, string Type, string? Error)> ProbeAsync(string name, IStorageBackend storage, CancellationToken cancellationToken)
    {
        var type = storage.GetType().Name;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var key = ProbePrefix + Guid.NewGuid().ToString("N");
        try
        {
            // WaitAsync too: a backend that ignores its token still cannot hold the endpoint past the timeout.
            await ProbeOnceAsync(storage, key, timeout.Token).WaitAsync(options.Timeout, cancellationToken).ConfigureAwait(false);
            return (name, type, null);
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (name, type, FormattableString.Invariant($"no answer within {options.Timeout.TotalSeconds:0.###} s"));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return (name, type, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static async Task ProbeOnceAsync(IStorageBackend storage, string key, CancellationToken cancellationToken)
    {
        if (storage.CanList)
        {
            await foreach (var unused in storage.ListAsync(new StorageListOptions { Prefix = key, PageSize = 1 }, cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }
        else
        {
            await storage.ExistsAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }
}
