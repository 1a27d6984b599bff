using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using MySql.Data.MySqlClient;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// A MariaDB (or MySQL) server for the functional tests. With <see cref="TestEnvironment.MariaDbVariable"/> set, that server
/// is used; otherwise a throw-away server is created with the machine's MariaDB binaries (Debian's <c>mariadb-server</c>):
/// a private data folder from <c>mariadb-install-db</c>, <c>mariadbd</c> on a free 127.0.0.1 port with its socket in that
/// folder, a login created for the tests (the anonymous users dropped first: they would shadow it), stopped and deleted when
/// the tests end. One server per test run (a collection fixture); each test creates and drops its own database.
/// </summary>
public sealed class MariaDbServerFixture : IAsyncLifetime
{
    private const string HowToFix =
        "MariaDB tests need a server: install MariaDB (apt-get install mariadb-server; mariadb-install-db and mariadbd are looked for "
        + "on PATH and in /usr/bin, /usr/sbin), or set " + TestEnvironment.MariaDbVariable + " to the connection string of a MariaDB or "
        + "MySQL server whose user may create databases (Server=…;Port=…;User ID=…;Password=…). " + TestEnvironment.HowToRunEverything;

    private const string TestUser = "alchemytypes";

    private ServerProcess? _server;
    private string? _dataDirectory;
    private string _adminConnectionString = "";

    public string Description { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var external = TestEnvironment.Get(TestEnvironment.MariaDbVariable);
        if (external is not null)
        {
            _adminConnectionString = external;
            Description = "external server from " + TestEnvironment.MariaDbVariable;
        }
        else
        {
            await StartPrivateServerAsync();
        }

        try
        {
            await using var connection = new MySqlConnection(_adminConnectionString);
            await connection.OpenAsync();
        }
        catch (MySqlException ex)
        {
            throw new InvalidOperationException($"Could not connect to MariaDB ({Description}): {ex.Message}. {HowToFix}", ex);
        }
    }

    /// <summary>Creates an empty database and returns its connection string; drop it with <see cref="DropDatabaseAsync"/>.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 64)].ToLowerInvariant();
        await ExecuteAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4");
        return new MySqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DropDatabaseAsync(string connectionString)
    {
        // Pooled connections of this database go first: the pool is per connection string, which no other test uses.
        await using (var connection = new MySqlConnection(connectionString))
        {
            MySqlConnection.ClearPool(connection);
        }

        var name = new MySqlConnectionStringBuilder(connectionString).Database;
        await ExecuteAsync($"DROP DATABASE IF EXISTS `{name}`");
    }

    public async Task DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        if (_server is not null)
        {
            // The data folder is thrown away, so a graceful shutdown buys nothing: the process is killed.
            await _server.DisposeAsync();
        }

        if (_dataDirectory is not null && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new MySqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task StartPrivateServerAsync()
    {
        var installDb = FindBinary("mariadb-install-db");
        var mariadbd = FindBinary("mariadbd");
        var port = TestEnvironment.GetFreePort().ToString(CultureInfo.InvariantCulture);
        _dataDirectory = TestEnvironment.CreateTempDirectory("alchemytypes-mariadb");
        var data = Path.Combine(_dataDirectory, "data");
        var socket = Path.Combine(_dataDirectory, "mariadb.sock");
        // mariadbd refuses to run as root unless told which user to be; CI runs as root. Otherwise it runs as whoever we are.
        string[] runAs = Environment.UserName == "root" ? ["--user=root"] : [];

        // --no-defaults first: the machine's my.cnf (a system server's datadir, socket, port) must not leak into this one.
        await RunAsync(installDb, ["--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db", .. runAs]);
        string[] serverArgs =
        [
            "--no-defaults", "--datadir=" + data, "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + socket,
            "--pid-file=" + Path.Combine(_dataDirectory, "mariadb.pid"), "--skip-name-resolve", "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--max-connections=200", .. runAs,
        ];
        _server = ServerProcess.Start("MariaDB", mariadbd, serverArgs);
        await _server.WaitForPortAsync(int.Parse(port, CultureInfo.InvariantCulture), TimeSpan.FromSeconds(60), HowToFix);

        // Root may log in without a password from 127.0.0.1 (install-db's "normal" authentication). The tests use their own
        // login, as an application would; an anonymous ''@'localhost' user would match before 'alchemytypes'@'%'.
        var root = $"Server=127.0.0.1;Port={port};User ID=root;Password=;SslMode=Disabled";
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        await using (var connection = new MySqlConnection(root))
        {
            await connection.OpenAsync();
            foreach (var sql in new[]
            {
                "DELETE FROM mysql.global_priv WHERE User = ''",
                "FLUSH PRIVILEGES",
                $"CREATE USER '{TestUser}'@'%' IDENTIFIED BY '{password}'",
                $"GRANT ALL PRIVILEGES ON *.* TO '{TestUser}'@'%'",
            })
            {
                await using var command = new MySqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        _adminConnectionString = $"Server=127.0.0.1;Port={port};User ID={TestUser};Password={password};SslMode=Disabled";
        Description = $"private server on 127.0.0.1:{port} from {mariadbd}";
    }

    private static string FindBinary(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in path.Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"]))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"'{name}' was not found. {HowToFix}");
    }

    private static async Task RunAsync(string fileName, string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} failed with exit code {process.ExitCode}: {await stderr}{await stdout}. {HowToFix}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MariaDbCollection : ICollectionFixture<MariaDbServerFixture>
{
    public const string Name = "MariaDB";
}
