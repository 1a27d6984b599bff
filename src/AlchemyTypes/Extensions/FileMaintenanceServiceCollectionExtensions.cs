using AlchemyTypes.Maintenance;
using AlchemyTypes.Maintenance.Internal;
using Microsoft.EntityFrameworkCore;

// ReSharper disable once CheckNamespace
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the hosted file maintenance.</summary>
public static class FileMaintenanceServiceCollectionExtensions
{
    /// <summary>
    /// Adds a hosted service that, every <see cref="FileMaintenanceServiceOptions.Interval"/>, processes the recorded storage
    /// deletes and reconciles storage with the rows of <typeparamref name="TContext"/> (resolved from a new scope each run),
    /// logging what it did. On PostgreSQL a session advisory lock makes one instance run at a time when several processes
    /// share the database; on other providers run it in one process only.
    /// </summary>
    /// <typeparam name="TContext">The application's context, registered with AddDbContext.</typeparam>
    /// <param name="services">The services.</param>
    /// <param name="configure">Changes the schedule and what runs; the defaults otherwise.</param>
    /// <returns>The services.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static IServiceCollection AddFileMaintenance<TContext>(this IServiceCollection services, Action<FileMaintenanceServiceOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new FileMaintenanceServiceOptions();
        configure?.Invoke(options);
        options.Validate();
        services.AddHostedService(sp => new FileMaintenanceService<TContext>(
            sp.GetRequiredService<IServiceScopeFactory>(), options, sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        return services;
    }
}
