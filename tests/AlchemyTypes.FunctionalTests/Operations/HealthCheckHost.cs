using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AlchemyTypes.FunctionalTests.Operations;

/// <summary>
/// The health checks as an application runs them: a service provider with the DbContext, <c>AddHealthChecks()</c> and the
/// registrations under test, and ASP.NET Core's own <see cref="HealthCheckService"/> running them.
/// </summary>
internal static class HealthCheckHost
{
    public static ServiceProvider Build(
        TestDatabase database, IReadOnlyList<(string Name, IStorageBackend Backend)> backends, Action<IHealthChecksBuilder> checks)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<OpsContext>(o =>
        {
            database.UseProvider(o);
            o.AddAlchemyTypes(a =>
            {
                foreach (var (name, backend) in backends)
                {
                    a.AddStorage(name, backend);
                }
            });
        });
        checks(services.AddHealthChecks());
        return services.BuildServiceProvider(validateScopes: true);
    }

    public static async Task<HealthReportEntry> RunAsync(ServiceProvider services, string name)
    {
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name);
        return Assert.Single(report.Entries, e => e.Key == name).Value;
    }
}
