using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using MySql.Data.MySqlClient;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>FileObject columns on MariaDB: the provider's <c>json</c> type (in MariaDB a text column the server checks).</summary>
[Collection(MariaDbCollection.Name)]
public sealed class MariaDbFileObjectColumnTests(MariaDbServerFixture server)
{
    private static readonly InMemoryStorageBackend Files = new();

    [Fact]
    public async Task FileObject_columns_are_json_hold_the_documented_json_and_the_server_rejects_other_text()
    {
        var connectionString = await server.CreateDatabaseAsync("json");
        try
        {
            var options = new DbContextOptionsBuilder<LifecycleContext>().ForTests().UseMySQL(connectionString)
                .AddAlchemyTypes(a => a.AddStorage("files", Files).AddStorage("secondary", Files)).Options;
            await using (var context = new LifecycleContext(options))
            {
                var document = context.Model.FindEntityType(typeof(Document))!;
                Assert.Equal("json", document.FindProperty(nameof(Document.File))!.GetColumnType());
                Assert.Equal("json", document.FindProperty(nameof(Document.Attachments))!.GetColumnType());
                await context.Database.EnsureCreatedAsync();
                context.Add(new Document { Name = "json", File = FileObject.FromBytes("hello"u8, "hello.txt") });
                await context.SaveChangesAsync();
            }

            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync();
            const string Query = """
                SELECT JSON_VALUE(`File`, '$.filename'), CAST(JSON_VALUE(`File`, '$.size') AS SIGNED),
                       JSON_VALUE(`File`, '$.backend'), JSON_VALUE(`File`, '$.checksum')
                FROM `Documents`
                """;
            await using (var query = new MySqlCommand(Query, connection))
            await using (var reader = await query.ExecuteReaderAsync())
            {
                Assert.True(await reader.ReadAsync());
                Assert.Equal("hello.txt", reader.GetString(0));
                Assert.Equal(5, reader.GetInt32(1));
                Assert.Equal("files", reader.GetString(2));
                Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", reader.GetString(3));
            }

            // A json column, not plain text: the server refuses a value that is not JSON.
            await using var invalid = new MySqlCommand("UPDATE `Documents` SET `File` = 'not json'", connection);
            var error = await Assert.ThrowsAsync<MySqlException>(() => invalid.ExecuteNonQueryAsync());
            Assert.Contains("File", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }
}
