using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>A real database engine the functional suites run against: each test gets its own empty database.</summary>
public interface ITestStore
{
    string Name { get; }

    Task<TestDatabase> CreateDatabaseAsync();
}

/// <summary>One empty database; configures a <see cref="DbContextOptionsBuilder"/> for it and drops it on dispose.</summary>
public sealed class TestDatabase(string connectionString, Action<DbContextOptionsBuilder, string> useProvider, Func<ValueTask> drop) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public DbContextOptionsBuilder UseProvider(DbContextOptionsBuilder builder)
    {
        useProvider(builder, ConnectionString);
        return builder.ForTests();
    }

    public ValueTask DisposeAsync() => drop();
}

/// <summary>SQLite, one database file per test in the temp folder, deleted afterwards.</summary>
public sealed class SqliteTestStore : ITestStore
{
    public string Name => "SQLite";

    public Task<TestDatabase> CreateDatabaseAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"alchemytypes-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ConnectionString;
        return Task.FromResult(new TestDatabase(
            connectionString,
            (b, cs) => b.UseSqlite(cs),
            () =>
            {
                foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
                {
                    File.Delete(file);
                }

                return ValueTask.CompletedTask;
            }));
    }
}

/// <summary>PostgreSQL from <see cref="PostgresServerFixture"/>, one database per test, dropped afterwards.</summary>
public sealed class PostgresTestStore(PostgresServerFixture server) : ITestStore
{
    public string Name => "PostgreSQL";

    public async Task<TestDatabase> CreateDatabaseAsync()
    {
        var connectionString = await server.CreateDatabaseAsync("alchemy");
        return new TestDatabase(connectionString, (b, cs) => b.UseNpgsql(cs), () => new ValueTask(server.DropDatabaseAsync(connectionString)));
    }
}

/// <summary>MariaDB (or MySQL) from <see cref="MariaDbServerFixture"/>, one database per test, dropped afterwards.</summary>
public sealed class MariaDbTestStore(MariaDbServerFixture server) : ITestStore
{
    public string Name => "MariaDB";

    public async Task<TestDatabase> CreateDatabaseAsync()
    {
        var connectionString = await server.CreateDatabaseAsync("alchemy");
        return new TestDatabase(connectionString, (b, cs) => b.UseMySQL(cs), () => new ValueTask(server.DropDatabaseAsync(connectionString)));
    }
}
