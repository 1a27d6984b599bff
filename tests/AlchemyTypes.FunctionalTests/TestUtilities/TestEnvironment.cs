using System.Net;
using System.Net.Sockets;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// Where the functional tests find their servers. Each service has an environment variable that points the suite at an
/// existing server instead of the one the fixture would start on 127.0.0.1.
/// </summary>
public static class TestEnvironment
{
    /// <summary>An Npgsql connection string to a server whose user may create and drop databases.</summary>
    public const string PostgresVariable = "ALCHEMYTYPES_TEST_POSTGRES";

    /// <summary>A MySQL Connector/NET connection string to a MariaDB or MySQL server whose user may create and drop databases.</summary>
    public const string MariaDbVariable = "ALCHEMYTYPES_TEST_MARIADB";

    /// <summary>S3 settings: <c>ServiceUrl=…;AccessKey=…;SecretKey=…;Region=…</c> (MinIO, AWS, or any S3-compatible store).</summary>
    public const string S3Variable = "ALCHEMYTYPES_TEST_S3";

    /// <summary>An Azure Storage connection string (an Azure account or an Azurite you run yourself).</summary>
    public const string AzureBlobVariable = "ALCHEMYTYPES_TEST_AZURE_BLOB";

    /// <summary>The folder that holds <c>AlchemyTypes.sln</c>.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The folder where <c>npm ci --prefix tests</c> installs the test servers.</summary>
    public static string NodeModules => Path.Combine(RepositoryRoot, "tests", "node_modules");

    /// <summary>The how-to that ends every "server not available" message.</summary>
    public const string HowToRunEverything = "Run the whole suite with ./build.sh test from the repository root (it installs and starts what the tests need).";

    public static string? Get(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A new empty folder under the system temp folder, for one server's data.</summary>
    public static string CreateTempDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AlchemyTypes.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"AlchemyTypes.sln was not found above {AppContext.BaseDirectory}; run the tests from a clone of the repository.");
    }
}
