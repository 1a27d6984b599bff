using System.Data.Common;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// The lifecycle at its edges (issue 20): a stale detached <c>Update()</c>, rows whose files have no ETag (written by an older
/// version or by Advanced Alchemy), savepoints rolled back with raw SQL, and bulk deletes in the caller's READ COMMITTED
/// transaction. Each case lost a referenced file before; each test fails if it does again.
/// </summary>
public abstract class LifecycleEdgeTests(ITestStore store, LifecycleStorageFixture storage) : LifecycleTestBase(store, storage)
{
    [Fact]
    [Promise("P-LIFE-51")]
    public async Task A_stale_detached_Update_is_refused_and_no_file_is_lost()
    {
        await Insert("report", "k1");
        Document stale;
        await using (var a = CreateContext())
        {
            stale = await a.Documents.AsNoTracking().SingleAsync(); // user A loads the row (file K1)
        }

        string k2;
        await using (var b = CreateContext())
        {
            var row = await b.Documents.SingleAsync(); // user B replaces K1 with K2: K1 is deleted at the commit
            row.File = FileObject.FromBytes(Bytes("k2"), "k2.txt");
            await b.SaveChangesAsync();
            k2 = row.File.Key;
        }

        stale.Name = "renamed"; // user A renames and writes the whole (stale) entity back
        await using (var a = CreateContext())
        {
            a.Update(stale);
            var error = await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => a.SaveChangesAsync());
            Assert.Contains("Document.File", error.Message, StringComparison.Ordinal);
            Assert.Contains("Reload", error.Message, StringComparison.Ordinal);
        }

        await using (var context = CreateContext())
        {
            await context.ProcessPendingStorageDeletesAsync();
            var row = await context.Documents.AsNoTracking().SingleAsync();
            Assert.Equal(("report", k2), (row.Name, row.File!.Key));
            Assert.Equal("k2", await StoredText(row.File));
            Assert.Equal(0, await OutboxCount());
        }

        // Reloaded, the same change saves and keeps the file.
        await using (var a = CreateContext())
        {
            var fresh = await a.Documents.AsNoTracking().SingleAsync();
            fresh.Name = "renamed";
            a.Update(fresh);
            await a.SaveChangesAsync();
        }

        await using (var context = CreateContext())
        {
            var row = await context.Documents.AsNoTracking().SingleAsync();
            Assert.Equal(("renamed", k2), (row.Name, row.File!.Key));
            Assert.Equal("k2", await StoredText(row.File));
        }
    }

    [Fact]
    [Promise("P-LIFE-51")]
    public async Task A_detached_Update_with_a_new_file_still_replaces_the_current_one()
    {
        await Insert("report", "k1");
        Document stale;
        await using (var a = CreateContext())
        {
            stale = await a.Documents.AsNoTracking().SingleAsync();
        }

        FileObject k2;
        await using (var b = CreateContext())
        {
            var row = await b.Documents.SingleAsync();
            row.File = FileObject.FromBytes(Bytes("k2"), "k2.txt");
            await b.SaveChangesAsync();
            k2 = row.File;
        }

        stale.File = FileObject.FromBytes(Bytes("k3"), "k3.txt"); // a new upload: the last writer wins, and K2 is its garbage
        await using (var a = CreateContext())
        {
            a.Update(stale);
            await a.SaveChangesAsync();
        }

        await AssertGone(k2);
        Assert.Equal("k3", await StoredText(stale.File));
    }

    [Fact]
    [Promise("P-LIFE-52")]
    public async Task A_recorded_delete_without_an_ETag_never_removes_a_later_upload_under_the_same_key()
    {
        var key = $"legacy/{Guid.NewGuid():N}.txt";
        await Insert("legacy", "old bytes", new FileObjectOptions { Key = key });
        await StripETagsAsync(); // as written by an older version or by Advanced Alchemy

        await using (var context = CreateContext())
        {
            // Deleted in an explicit transaction: the object goes at the commit, its outbox row only at this context's next save.
            await using var transaction = await context.Database.BeginTransactionAsync();
            var row = await context.Documents.SingleAsync();
            Assert.Null(row.File!.ETag);
            context.Remove(row);
            await context.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        Assert.False(await Files.ExistsAsync(key)); // the legacy object itself is deleted
        Assert.Equal(1, await OutboxCount());
        await Task.Delay(20);
        var second = await Insert("second", "new bytes", new FileObjectOptions { Key = key }); // the key is reused

        await using (var context = CreateContext())
        {
            var report = await context.ProcessPendingStorageDeletesAsync();
            Assert.Equal((1, 0), (report.Deleted, report.Failed)); // the row is done, the later object kept
        }

        Assert.Equal("new bytes", await StoredText(second.File!));
        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    [Promise("P-LIFE-52")]
    public async Task A_replaced_file_without_an_ETag_is_still_deleted()
    {
        var first = await Insert("legacy", "old bytes");
        await StripETagsAsync();
        await using (var context = CreateContext())
        {
            var row = await context.Documents.SingleAsync();
            row.File = FileObject.FromBytes(Bytes("new"), "new.txt");
            await context.SaveChangesAsync();
        }

        await AssertGone(first.File!);
        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    [Promise("P-LIFE-53")]
    public async Task A_delete_rolled_back_with_a_raw_SQL_savepoint_never_runs_at_the_commit()
    {
        var original = await Insert("report", "v1");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            await context.Database.ExecuteSqlRawAsync("SAVEPOINT before_replace");
            var row = await context.Documents.SingleAsync();
            row.File = FileObject.FromBytes(Bytes("v2"), "v2.txt");
            await context.SaveChangesAsync(); // records v1's delete after the savepoint
            await context.Database.ExecuteSqlRawAsync("ROLLBACK TO SAVEPOINT before_replace"); // takes the change and the record back
            await transaction.CommitAsync();
        }

        await using (var context = CreateContext())
        {
            await context.ProcessPendingStorageDeletesAsync();
            var row = await context.Documents.AsNoTracking().SingleAsync();
            Assert.Equal(original.File!.Key, row.File!.Key); // the row keeps v1 ...
            Assert.Equal("v1", await StoredText(row.File)); // ... and v1 is still stored
            Assert.Equal(0, await OutboxCount());
        }
    }

    [Fact]
    [Promise("P-LIFE-53")]
    public async Task A_delete_kept_after_a_raw_SQL_savepoint_rollback_still_runs()
    {
        var original = await Insert("report", "v1");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            var row = await context.Documents.SingleAsync();
            row.File = FileObject.FromBytes(Bytes("v2"), "v2.txt");
            await context.SaveChangesAsync(); // before the savepoint: kept
            await context.Database.ExecuteSqlRawAsync("SAVEPOINT later");
            await context.Database.ExecuteSqlRawAsync("ROLLBACK TO SAVEPOINT later");
            await transaction.CommitAsync();
        }

        await using (var context = CreateContext())
        {
            await context.ProcessPendingStorageDeletesAsync(); // the committed record is processed from the outbox
        }

        await AssertGone(original.File!);
        Assert.Equal(0, await OutboxCount());
    }

    private async Task StripETagsAsync()
    {
        await using var context = CreateContext();
        var table = context.Model.FindEntityType(typeof(Document))!.GetTableName();
        var sql = context.Database.IsNpgsql()
            ? $"UPDATE \"{table}\" SET \"File\" = \"File\" - 'etag'"
            : $"UPDATE \"{table}\" SET \"File\" = json_remove(\"File\", '$.etag')";
        await context.Database.ExecuteSqlRawAsync(sql);
    }
}

public sealed class SqliteLocalLifecycleEdgeTests(LocalLifecycleStorageFixture storage)
    : LifecycleEdgeTests(new SqliteTestStore(), storage), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalLifecycleEdgeTests(PostgresServerFixture server, LocalLifecycleStorageFixture storage)
    : LifecycleEdgeTests(new PostgresTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresInMemoryLifecycleEdgeTests(PostgresServerFixture server, LifecycleStorageFixture storage)
    : LifecycleEdgeTests(new PostgresTestStore(server), storage), IClassFixture<LifecycleStorageFixture>
{
    /// <summary>
    /// ExecuteDeleteWithFilesAsync in the caller's READ COMMITTED transaction while another save moves the file of a matching
    /// row to a surviving row, at the worst moment (after the bulk delete read the rows, before it deleted them). Before, the
    /// move committed and the bulk delete's recorded delete removed the file the surviving row now references.
    /// </summary>
    [Fact]
    [Promise("P-LIFE-54")]
    public async Task A_bulk_delete_in_a_READ_COMMITTED_transaction_never_deletes_a_file_moved_to_a_surviving_row()
    {
        var doomed = await Insert("doomed", "moving file");
        await Insert("survivor", "own file");
        var mover = CreateContext();
        var from = await mover.Documents.SingleAsync(d => d.Name == "doomed");
        var to = await mover.Documents.SingleAsync(d => d.Name == "survivor");
        Task? move = null;
        var hook = new BeforeDelete(async () =>
        {
            // The concurrent save: move the file from the matching row to the survivor.
            to.File = from.File;
            from.File = null;
            move = mover.SaveChangesAsync();
            await Task.WhenAny(move, Task.Delay(2000)); // it commits, or waits for the bulk delete's row locks
        });
        await using (var context = new LifecycleContext(CreateOptions().AddInterceptors(hook).Options))
        {
            await using var transaction = await context.Database.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted);
            Assert.Equal(1, await context.Documents.ExecuteDeleteWithFilesAsync(d => d.Name == "doomed"));
            await transaction.CommitAsync();
        }

        try
        {
            await move!;
        }
        catch (DbUpdateConcurrencyException)
        {
            // The move waited for the bulk delete and found its source row gone: nothing of it committed.
        }

        await mover.DisposeAsync();
        await using (var context = CreateContext())
        {
            await context.ProcessPendingStorageDeletesAsync();
            foreach (var row in await context.Documents.AsNoTracking().ToListAsync())
            {
                Assert.True(await Files.ExistsAsync(row.File!.Key), $"{row.Name} references {row.File.Key}, which is gone");
            }
        }

        Assert.NotNull(doomed.File);
    }

    private sealed class BeforeDelete(Func<Task> action) : DbCommandInterceptor
    {
        private int _done;

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.TrimStart().StartsWith("DELETE", StringComparison.OrdinalIgnoreCase)
                && command.CommandText.Contains("Documents", StringComparison.Ordinal) && Interlocked.Exchange(ref _done, 1) == 0)
            {
                await action();
            }

            return result;
        }
    }
}
