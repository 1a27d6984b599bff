using System.Security.Cryptography;
using System.Text;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// The basic FileObject lifecycle against a real database and real storage: insert, replace, delete, set to null, list edits,
/// transactions. Every test asserts exactly which objects exist afterwards. Subclassed per database and per storage backend.
/// </summary>
public abstract class FileLifecycleTests(ITestStore store, LifecycleStorageFixture storage) : LifecycleTestBase(store, storage)
{
    [Fact]
    public async Task Insert_uploads_before_commit_and_the_row_carries_size_checksum_and_etag()
    {
        // A PDF by its bytes too: the stored content type is the one the bytes identify.
        var content = RandomNumberGenerator.GetBytes(150_000);
        "%PDF-1.7\n"u8.CopyTo(content);
        var document = new Document { Name = "report", File = FileObject.FromBytes(content, "report.pdf",
            new FileObjectOptions { Metadata = new Dictionary<string, string> { ["owner"] = "alice" } }) };
        await using (var context = CreateContext())
        {
            context.Add(document);
            await context.SaveChangesAsync();
        }

        await AssertStored(document.File!);
        await using (var context = CreateContext())
        {
            var loaded = await context.Documents.SingleAsync();
            var file = loaded.File!;
            Assert.Equal("report.pdf", file.FileName);
            Assert.Equal("application/pdf", file.ContentType);
            Assert.Equal(content.Length, file.Size);
            Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)), file.Checksum);
            Assert.False(string.IsNullOrEmpty(file.ETag));
            Assert.NotNull(file.LastModified);
            Assert.Equal("files", file.Backend);
            Assert.Equal("alice", file.Metadata["owner"]);
            Assert.True(file.IsStored);
            Assert.Equal(content, await file.GetBytesAsync());
            await using var range = await file.OpenReadAsync(new StorageRange(1000, 10));
            using var copy = new MemoryStream();
            await range.CopyToAsync(copy);
            Assert.Equal(content[1000..1010], copy.ToArray());
            Assert.Equal(content.Length, (await Files.GetInfoAsync(file.Key)).Size);
        }

        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task Delete_and_commit_removes_the_object()
    {
        var document = await Insert("doc", "content");
        await using (var context = CreateContext())
        {
            context.Remove(await context.Documents.SingleAsync());
            await context.SaveChangesAsync();
        }

        await AssertGone(document.File!);
        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task Delete_then_rollback_keeps_the_object()
    {
        var document = await Insert("doc", "content");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Remove(await context.Documents.SingleAsync());
            await context.SaveChangesAsync();
            await AssertStored(document.File!); // not before the commit
            await transaction.RollbackAsync();
        }

        await AssertStored(document.File!);
        await using var check = CreateContext();
        Assert.Equal(1, await check.Documents.CountAsync());
        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task Delete_in_an_explicit_transaction_waits_for_the_commit()
    {
        var document = await Insert("doc", "content");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Remove(await context.Documents.SingleAsync());
            await context.SaveChangesAsync();
            await AssertStored(document.File!);
            await transaction.CommitAsync();
            await AssertGone(document.File!);
            await context.SaveChangesAsync(); // the next save clears the processed outbox row
        }

        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task Replace_and_commit_deletes_the_old_object_and_keeps_the_new()
    {
        var document = await Insert("doc", "old");
        FileObject replacement;
        await using (var context = CreateContext())
        {
            var loaded = await context.Documents.SingleAsync();
            loaded.File = replacement = FileObject.FromBytes(Bytes("new"), "new.txt");
            await context.SaveChangesAsync();
        }

        await AssertGone(document.File!);
        await AssertStored(replacement);
        await using var check = CreateContext();
        Assert.Equal("new", Encoding.UTF8.GetString(await (await check.Documents.SingleAsync()).File!.GetBytesAsync()));
    }

    [Fact]
    public async Task Replace_then_rollback_keeps_the_old_object_and_removes_the_new()
    {
        var document = await Insert("doc", "old");
        FileObject replacement;
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            var loaded = await context.Documents.SingleAsync();
            loaded.File = replacement = FileObject.FromBytes(Bytes("new"), "new.txt");
            await context.SaveChangesAsync();
            await AssertStored(replacement, document.File!);
            await transaction.RollbackAsync();
        }

        await AssertStored(document.File!);
        await AssertGone(replacement);
        await using var check = CreateContext();
        Assert.Equal("old", Encoding.UTF8.GetString(await (await check.Documents.SingleAsync()).File!.GetBytesAsync()));
    }

    [Fact]
    public async Task A_transaction_disposed_without_commit_removes_what_it_uploaded()
    {
        var document = await Insert("doc", "old");
        FileObject replacement;
        await using (var context = CreateContext())
        {
            var transaction = await context.Database.BeginTransactionAsync();
            var loaded = await context.Documents.SingleAsync();
            loaded.File = replacement = FileObject.FromBytes(Bytes("new"), "new.txt");
            await context.SaveChangesAsync();
            await transaction.DisposeAsync(); // an exception path: no commit, no explicit rollback
        }

        await AssertStored(document.File!);
        await AssertGone(replacement);
    }

    [Fact]
    public async Task Setting_the_property_to_null_deletes_the_object()
    {
        var document = await Insert("doc", "content");
        await using (var context = CreateContext())
        {
            (await context.Documents.SingleAsync()).File = null;
            await context.SaveChangesAsync();
        }

        await AssertGone(document.File!);
        await using var check = CreateContext();
        Assert.Null((await check.Documents.SingleAsync()).File);
    }

    [Fact]
    public async Task List_edits_in_place_are_tracked()
    {
        var a = FileObject.FromBytes(Bytes("a"), "a.txt");
        var b = FileObject.FromBytes(Bytes("b"), "b.txt");
        await using (var context = CreateContext())
        {
            context.Add(new Document { Name = "list", Attachments = [a, b] });
            await context.SaveChangesAsync();
        }

        await AssertStored(a, b);
        var c = FileObject.FromBytes(Bytes("c"), "c.txt");
        await using (var context = CreateContext())
        {
            var loaded = await context.Documents.SingleAsync();
            Assert.Equal(["a.txt", "b.txt"], loaded.Attachments.Select(f => f.FileName));
            loaded.Attachments.RemoveAt(0);   // in place: no new list assigned
            loaded.Attachments.Add(c);
            await context.SaveChangesAsync();
        }

        await AssertGone(a);
        await AssertStored(b, c);
        await using (var context = CreateContext())
        {
            var loaded = await context.Documents.SingleAsync();
            Assert.Equal(["b.txt", "c.txt"], loaded.Attachments.Select(f => f.FileName));
            Assert.Equal("c", Encoding.UTF8.GetString(await loaded.Attachments[1].GetBytesAsync()));
            loaded.Attachments.Clear();
            await context.SaveChangesAsync();
        }

        await AssertGone(a, b, c);
    }

    [Fact]
    public async Task Several_saves_in_one_transaction_clean_up_the_intermediate_files()
    {
        var first = FileObject.FromBytes(Bytes("1"), "v1.txt");
        var second = FileObject.FromBytes(Bytes("2"), "v2.txt");
        var third = FileObject.FromBytes(Bytes("3"), "v3.txt");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            var document = new Document { Name = "versions", File = first };
            context.Add(document);
            await context.SaveChangesAsync();
            document.File = second;
            await context.SaveChangesAsync();
            document.File = third;
            await context.SaveChangesAsync();
            await AssertStored(first, second, third);
            await transaction.CommitAsync();
        }

        await AssertGone(first, second);
        await AssertStored(third);
    }

    [Fact]
    public async Task Several_saves_in_a_rolled_back_transaction_leave_nothing()
    {
        var first = FileObject.FromBytes(Bytes("1"), "v1.txt");
        var second = FileObject.FromBytes(Bytes("2"), "v2.txt");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            var document = new Document { Name = "versions", File = first };
            context.Add(document);
            await context.SaveChangesAsync();
            document.File = second;
            await context.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        await AssertGone(first, second);
        Assert.Equal(0, await OutboxCount());
    }
}

public sealed class SqliteLocalFileLifecycleTests(LocalLifecycleStorageFixture storage)
    : FileLifecycleTests(new SqliteTestStore(), storage), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalFileLifecycleTests(PostgresServerFixture server, LocalLifecycleStorageFixture storage)
    : FileLifecycleTests(new PostgresTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;

public sealed class SqliteInMemoryFileLifecycleTests(LifecycleStorageFixture storage)
    : FileLifecycleTests(new SqliteTestStore(), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresInMemoryFileLifecycleTests(PostgresServerFixture server, LifecycleStorageFixture storage)
    : FileLifecycleTests(new PostgresTestStore(server), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(PostgresCloudCollection.Name)]
public sealed class PostgresS3FileLifecycleTests(PostgresServerFixture server, S3LifecycleStorageFixture storage)
    : FileLifecycleTests(new PostgresTestStore(server), storage), IClassFixture<S3LifecycleStorageFixture>;

[Collection(PostgresCloudCollection.Name)]
public sealed class PostgresAzureFileLifecycleTests(PostgresServerFixture server, AzureLifecycleStorageFixture storage)
    : FileLifecycleTests(new PostgresTestStore(server), storage), IClassFixture<AzureLifecycleStorageFixture>;

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbLocalFileLifecycleTests(MariaDbServerFixture server, LocalLifecycleStorageFixture storage)
    : FileLifecycleTests(new MariaDbTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;
