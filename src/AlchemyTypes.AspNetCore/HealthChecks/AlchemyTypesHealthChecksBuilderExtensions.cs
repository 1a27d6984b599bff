using AlchemyTypes;
using AlchemyTypes.AspNetCore.HealthChecks;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// AlchemyTypes health checks for <c>builder.Services.AddHealthChecks()</c>: storage backends reachable, and the pending
/// storage delete backlog. See docs/operations.md, "Health checks".
/// </summary>
public static class AlchemyTypesHealthChecksBuilderExtensions
{
    /// <summary>The default name of the storage check.</summary>
    public const string StorageCheckName = "alchemytypes-storage";

    /// <summary>The default name of the pending-delete check.</summary>
    public const string PendingDeletesCheckName = "alchemytypes-pending-deletes";

    /// <summary>
    /// Probes the backends of the <see cref="StorageRegistry"/> registered with dependency injection
    /// (<c>services.AddAlchemyTypesStorage(configuration)</c>), each within <see cref="StorageHealthCheckOptions.Timeout"/>;
    /// reports <paramref name="failureStatus"/> naming every backend that did not answer.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the timeout and which backends to probe.</param>
    /// <param name="name">The check's name (default <see cref="StorageCheckName"/>).</param>
    /// <param name="failureStatus">The status when a backend is unreachable (default Unhealthy).</param>
    /// <param name="tags">Tags to filter checks by (for instance "ready").</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is out of range (thrown here, at registration).</exception>
    public static IHealthChecksBuilder AddAlchemyTypesStorage(
        this IHealthChecksBuilder builder, Action<StorageHealthCheckOptions>? configure = null, string name = StorageCheckName,
            HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
        => AddStorageCheck(builder, sp => sp.GetService<StorageRegistry>() ?? throw new AlchemyTypesConfigurationException(
            "No StorageRegistry is registered with dependency injection: call services.AddAlchemyTypesStorage(configuration), or "
                + "register the check with AddAlchemyTypesStorage<TContext>() to probe the backends of a DbContext."),
            configure, name, failureStatus, tags);

    /// <summary>
    /// Probes the storage backends of <typeparamref name="TContext"/> (those of its <c>AddAlchemyTypes(a =&gt; a.AddStorage(…))</c>),
    /// each within <see cref="StorageHealthCheckOptions.Timeout"/>; reports <paramref name="failureStatus"/> naming every
    /// backend that did not answer.
    /// </summary>
    /// <typeparam name="TContext">A DbContext registered with dependency injection and configured with AlchemyTypes storage.</typeparam>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the timeout and which backends to probe.</param>
    /// <param name="name">The check's name (default <see cref="StorageCheckName"/>).</param>
    /// <param name="failureStatus">The status when a backend is unreachable (default Unhealthy).</param>
    /// <param name="tags">Tags to filter checks by (for instance "ready").</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">An option is out of range (thrown here, at registration).</exception>
    public static IHealthChecksBuilder AddAlchemyTypesStorage<TContext>(
        this IHealthChecksBuilder builder, Action<StorageHealthCheckOptions>? configure = null, string name = StorageCheckName,
            HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
        where TContext : DbContext
        => AddStorageCheck(builder, sp => sp.GetRequiredService<TContext>().GetStorageRegistry(), configure, name, failureStatus, tags);

    /// <summary>
    /// Measures the storage delete outbox of <typeparamref name="TContext"/>: Degraded once it holds
    /// <see cref="PendingDeleteHealthCheckOptions.DegradedBacklog"/> rows or its oldest row is
    /// <see cref="PendingDeleteHealthCheckOptions.DegradedOldestAge"/> old, Unhealthy past the Unhealthy thresholds (off by
    /// default), <paramref name="failureStatus"/> when the database cannot be queried.
    /// </summary>
    /// <typeparam name="TContext">A DbContext registered with dependency injection, with FileObject properties.</typeparam>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="configure">Sets the thresholds.</param>
    /// <param name="name">The check's name (default <see cref="PendingDeletesCheckName"/>).</param>
    /// <param name="failureStatus">The status when the backlog cannot be measured (default Unhealthy).</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is out of range (thrown here, at registration).</exception>
    public static IHealthChecksBuilder AddAlchemyTypesPendingDeletes<TContext>(
        this IHealthChecksBuilder builder, Action<PendingDeleteHealthCheckOptions>? configure = null, string name = PendingDeletesCheckName,
            HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new PendingDeleteHealthCheckOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.Add(new HealthCheckRegistration(name, sp => new PendingDeleteHealthCheck<TContext>(sp, options), failureStatus, tags));
    }

    private static IHealthChecksBuilder AddStorageCheck(
        IHealthChecksBuilder builder, Func<IServiceProvider, StorageRegistry> registryOf, Action<StorageHealthCheckOptions>? configure,
            string name, HealthStatus? failureStatus, IEnumerable<string>? tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new StorageHealthCheckOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.Add(new HealthCheckRegistration(name, sp => new StorageHealthCheck(sp, registryOf, options), failureStatus, tags));
    }
}
