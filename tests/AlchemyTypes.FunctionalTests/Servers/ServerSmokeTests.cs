using System.Text;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Amazon.S3.Model;
using Npgsql;

namespace AlchemyTypes.FunctionalTests.Servers;

[Collection(PostgresCollection.Name)]
public sealed class PostgresSmokeTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Server_answers_and_databases_are_created_and_dropped()
    {
        var connectionString = await server.CreateDatabaseAsync("smoke");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('server_version_num')::int", connection);
            var version = (int)(await command.ExecuteScalarAsync())!;
            Assert.True(version >= 130000, $"PostgreSQL {version} is older than 13");
        }

        await server.DropDatabaseAsync(connectionString);
        await using var gone = new NpgsqlConnection(connectionString);
        var error = await Assert.ThrowsAsync<PostgresException>(() => gone.OpenAsync());
        Assert.Equal("3D000", error.SqlState); // invalid_catalog_name: the database was dropped
    }
}

[Collection(S3Collection.Name)]
public sealed class S3SmokeTests(S3ServerFixture server)
{
    [Fact]
    public async Task Server_stores_and_returns_an_object()
    {
        using var client = server.CreateClient();
        var bucket = S3ServerFixture.NewBucketName();
        await client.PutBucketAsync(bucket);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a/b.txt", ContentBody = "hello "
            + "s3", ContentType = "text/plain", UseChunkEncoding = false });

        using var response = await client.GetObjectAsync(bucket, "a/b.txt");
        using var reader = new StreamReader(response.ResponseStream, Encoding.UTF8);
        Assert.Equal("hello s3", await reader.ReadToEndAsync());
        Assert.Equal("text/plain", response.Headers.ContentType);

        await client.DeleteObjectAsync(bucket, "a/b.txt");
        await client.DeleteBucketAsync(bucket);
    }
}

[Collection(AzuriteCollection.Name)]
public sealed class AzuriteSmokeTests(AzuriteFixture server)
{
    [Fact]
    public async Task Server_stores_and_returns_a_blob()
    {
        var container = server.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName());
        await container.CreateAsync();
        var blob = container.GetBlobClient("a/b.txt");
        await blob.UploadAsync(BinaryData.FromString("hello azure"));

        var downloaded = await blob.DownloadContentAsync();
        Assert.Equal("hello azure", downloaded.Value.Content.ToString());

        await container.DeleteAsync();
    }
}
