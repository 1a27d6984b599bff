using System.Diagnostics;
using Npgsql;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// A PostgreSQL server for the functional tests. With <see cref="TestEnvironment.PostgresVariable"/> set, that server is
/// used; otherwise a throw-away cluster is created with the machine's PostgreSQL binaries (15 preferred) and started on a
/// free 127.0.0.1 port, then stopped and deleted when the tests end. Each test class creates and drops its own database.
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private const string HowToFix =
        "PostgreSQL tests need a server: install PostgreSQL (apt-get install postgresql-15; its initdb is looked for under /usr/lib/postgresql), "
        + "or set " + TestEnvironment.PostgresVariable + " to the connection string of a server whose user may create databases. "
        + TestEnvironment.HowToRunEverything;

    private ServerProcess? _server;
    private string? _dataDirectory;
    private string _adminConnectionString = "";

    public string Description { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var external = TestEnvironment.Get(TestEnvironment.PostgresVariable);
        if (external is not null)
        {
            _adminConnectionString = external;
            Description = "external server from " + TestEnvironment.PostgresVariable;
        }
        else
        {
            await StartPrivateClusterAsync();
        }

        // The port opens before the server accepts sessions ("57P03: the database system is starting up"): wait, with a bound.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_adminConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == "57P03" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException($"Could not connect to PostgreSQL ({Description}): {ex.Message}. {HowToFix}", ex);
            }
        }
    }

    /// <summary>Creates an empty database and returns its connection string; drop it with <see cref="DropDatabaseAsync"/>.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            if (_dataDirectory is not null)
            {
                await RunAsync(FindBinary("pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], throwOnError: false);
            }

            await _server.DisposeAsync();
        }

        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private async Task StartPrivateClusterAsync()
    {
        var initdb = FindBinary("initdb");
        var postgres = FindBinary("postgres");
        var port = TestEnvironment.GetFreePort();
        _dataDirectory = TestEnvironment.CreateTempDirectory("alchemytypes-pg");
        var runAsPostgres = Environment.UserName == "root";
        if (runAsPostgres)
        {
            // initdb and postgres refuse to run as root: the data folder belongs to the postgres system user.
            await RunAsync("chown", ["postgres:postgres", _dataDirectory]);
        }

        await RunAsync(initdb, ["-D", _dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C"], asPostgres: runAsPostgres);
        string[] serverArgs =
        [
            "-D", _dataDirectory, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=" + _dataDirectory,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ];
        _server = runAsPostgres
            ? ServerProcess.Start("PostgreSQL", "runuser", ["-u", "postgres", "--", postgres, .. serverArgs])
            : ServerProcess.Start("PostgreSQL", postgres, serverArgs);
        await _server.WaitForPortAsync(port, TimeSpan.FromSeconds(60), HowToFix);
        _adminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
        Description = $"private cluster on 127.0.0.1:{port} from {Path.GetDirectoryName(postgres)}";
    }

    private static string FindBinary(string name)
    {
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var candidates = Directory.GetDirectories(root)
                .OrderByDescending(d => Path.GetFileName(d) == "15")
                .ThenByDescending(d => Path.GetFileName(d), StringComparer.Ordinal)
                .Select(d => Path.Combine(d, "bin", name))
                .Where(File.Exists);
            if (candidates.FirstOrDefault() is { } found)
            {
                return found;
            }
        }

        throw new InvalidOperationException($"'{name}' was not found under {root}. {HowToFix}");
    }

    private static async Task RunAsync(string fileName, string[] arguments, bool asPostgres = false, bool throwOnError = true)
    {
        var startInfo = new ProcessStartInfo(asPostgres ? "runuser" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", fileName })
            {
                startInfo.ArgumentList.Add(a);
            }
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (throwOnError && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: "
                + $"{await stderr}{await stdout}. {HowToFix}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL";
}
