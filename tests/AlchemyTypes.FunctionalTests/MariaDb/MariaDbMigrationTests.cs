using System.Diagnostics;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using MySql.Data.MySqlClient;

namespace AlchemyTypes.FunctionalTests.MariaDb;

/// <summary>
/// Migrations on MariaDB 10.11 with MySql.EntityFrameworkCore: <c>Migrate()</c> (what <c>dotnet ef database update</c> runs)
/// through a context configured with AddAlchemyTypes, and the idempotent script applied with the <c>mariadb</c> client.
/// </summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbMigrationTests(MariaDbServerFixture server) : IAsyncLifetime
{
    private readonly InMemoryStorageBackend _files = new();
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await new MariaDbTestStore(server).CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    [Promise("P-MIG-50")]
    public async Task Migrate_through_AddAlchemyTypes_takes_the_migrations_lock_and_applies_every_migration()
    {
        await using (var context = CreateContext())
        {
            // Synchronous Migrate() is what `dotnet ef database update` calls (IMigrator.Migrate); then again, async, as a no-op.
            context.Database.Migrate();
            await context.Database.MigrateAsync();
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
            Assert.Equal(["20261207000000_Initial"], await context.Database.GetAppliedMigrationsAsync());
        }

        await RoundTripAsync();
    }

    [Fact]
    [Promise("P-MIG-50")]
    public async Task The_provider_alone_fails_on_the_migrations_lock_and_AddAlchemyTypes_makes_it_work()
    {
        // Reproduces the failure: GET_LOCK('__EFMigrationsLock',-1) returns NULL on MariaDB and the provider casts it to a number.
        var plain = new DbContextOptionsBuilder<PlainContext>();
        _database.UseProvider(plain);
        await using (var context = new PlainContext(plain.Options))
        {
            var failure = Assert.ThrowsAny<Exception>(() => context.Database.Migrate());
            Assert.IsType<InvalidCastException>(failure.GetBaseException());
        }

        var fixedUp = new DbContextOptionsBuilder<PlainContext>();
        _database.UseProvider(fixedUp);
        fixedUp.AddAlchemyTypes();
        await using (var context = new PlainContext(fixedUp.Options))
        {
            await context.Database.MigrateAsync();
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        }
    }

    [Fact]
    [Promise("P-MIG-51")]
    public async Task The_migrations_script_applied_with_the_mariadb_client_creates_the_schema()
    {
        string script;
        string idempotent;
        await using (var context = CreateContext())
        {
            // What `dotnet ef migrations script` writes (from the empty database to the last migration).
            script = context.GetService<IMigrator>().GenerateScript();
            idempotent = context.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        }

        await RunClientAsync(script);
        await using (var context = CreateContext())
        {
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        }

        await RoundTripAsync();

        // `--idempotent` is not usable with this provider: it writes SQL Server's IF … BEGIN … END, which MySQL and MariaDB reject.
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => RunClientAsync(idempotent));
        Assert.Contains("syntax", failure.Message, StringComparison.Ordinal);
    }

    private MigratedContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<MigratedContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", _files));
        return new MigratedContext(builder.Options);
    }

    /// <summary>The migrated schema works: a file saved, replaced, its recorded delete processed.</summary>
    private async Task RoundTripAsync()
    {
        await using var context = CreateContext();
        var doc = new MigratedDoc { Id = Guid.NewGuid(), Name = "d", File = FileObject.FromBytes("v1"u8, "d.txt") };
        context.Add(doc);
        await context.SaveChangesAsync();
        var first = doc.File!;
        doc.File = FileObject.FromBytes("v2"u8, "d.txt");
        await context.SaveChangesAsync();
        await context.ProcessPendingStorageDeletesAsync();
        Assert.False(await _files.ExistsAsync(first.Key));
        Assert.True(await _files.ExistsAsync(doc.File.Key));
        Assert.Equal(0, await context.Set<PendingStorageDelete>().CountAsync());
    }

    private async Task RunClientAsync(string script)
    {
        var connection = new MySqlConnectionStringBuilder(_database.ConnectionString);
        var start = new ProcessStartInfo(File.Exists("/usr/bin/mariadb") ? "/usr/bin/mariadb" : "mariadb")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--no-defaults", "--protocol=TCP", "--host=" + connection.Server, "--port=" + connection.Port, "--user=" + connection.UserID,
            "--password=" + connection.Password, "--database=" + connection.Database,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"mariadb < script failed ({process.ExitCode}): {await stderr}{await stdout}");
    }
}
