using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;

namespace AlchemyTypes.FunctionalTests.Foundation;

/// <summary>
/// The column layouts MySql.EntityFrameworkCore gives AlchemyTypes keys and dates on MariaDB, which the shared suites'
/// ordering and round-trip tests rely on: <c>Guid</c> as <c>char(36)</c> text in the canonical lower-case form (so text
/// order is the UUID's byte order, and v6/v7 keys sort by creation time), <c>DateTime</c> as <c>datetime(6)</c>.
/// </summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbStoreTypeTests(MariaDbServerFixture server) : IAsyncLifetime
{
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await server.CreateDatabaseAsync("types");

    public Task DisposeAsync() => server.DropDatabaseAsync(_connectionString);

    private FoundationContext CreateContext()
        => new(new DbContextOptionsBuilder<FoundationContext>().ForTests().UseMySQL(_connectionString).AddAlchemyTypes().Options);

    [Fact]
    public async Task Uuid_keys_are_canonical_char36_text_and_dates_datetime6_with_microseconds_kept_and_utc_on_read()
    {
        // 100-ns ticks: MariaDB keeps microseconds, like PostgreSQL, so the last tick digit is dropped.
        var startsAt = new DateTime(2025, 6, 15, 18, 45, 12, DateTimeKind.Utc).AddTicks(1_234_567);
        Meeting meeting;
        V6Row v6;
        await using (var context = CreateContext())
        {
            await context.Database.EnsureCreatedAsync();
            meeting = new Meeting { Title = "t", StartsAt = startsAt };
            v6 = new V6Row { Sequence = 1 };
            context.AddRange(meeting, v6);
            await context.SaveChangesAsync();
        }

        await using (var connection = new MySqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            Assert.Equal("char(36)", await ColumnTypeAsync(connection, "Meetings", "Id"));
            Assert.Equal("char(36)", await ColumnTypeAsync(connection, "V6Rows", "Id"));
            Assert.Equal("datetime(6)", await ColumnTypeAsync(connection, "Meetings", "StartsAt"));
            Assert.Equal("datetime(6)", await ColumnTypeAsync(connection, "Meetings", "CreatedAt"));

            // The stored text itself (Connector/NET would read a char(36) column back as a Guid).
            const string Sql = "SELECT CONCAT('[', (SELECT `Id` FROM `Meetings`), ']'), CONCAT('[', (SELECT `Id` FROM `V6Rows`), ']')";
            await using var ids = new MySqlCommand(Sql, connection);
            await using var reader = await ids.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal($"[{meeting.Id:D}]", reader.GetString(0));
            Assert.Equal($"[{v6.Id:D}]", reader.GetString(1));
        }

        await using (var context = CreateContext())
        {
            var read = await context.Meetings.SingleAsync();
            Assert.Equal(DateTimeKind.Utc, read.StartsAt.Kind);
            Assert.Equal(startsAt.AddTicks(-(startsAt.Ticks % 10)), read.StartsAt);
            Assert.Equal(meeting.Id, read.Id);
        }
    }

    private static async Task<string?> ColumnTypeAsync(MySqlConnection connection, string table, string column)
    {
        const string Sql = "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = @t AND COLUMN_NAME = @c";
        await using var command = new MySqlCommand(Sql, connection);
        command.Parameters.AddWithValue("@t", table);
        command.Parameters.AddWithValue("@c", column);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
