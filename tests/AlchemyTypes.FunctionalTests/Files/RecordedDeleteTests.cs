using System.Data.Common;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// Recorded deletes: versioned (a reused key's new object is never removed), processed in batches with a constant number of
/// SQL parameters, failures updated in bulk, several processors at once without harm.
/// </summary>
public abstract class RecordedDeleteTests(ITestStore store, LifecycleStorageFixture storage) : LifecycleTestBase(store, storage)
{
    [Fact]
    public async Task A_reused_key_is_not_deleted_by_the_old_objects_recorded_delete()
    {
        var key = $"chosen/{Guid.NewGuid():N}.txt";
        await Insert("first", "same bytes", new FileObjectOptions { Key = key });
        await using (var context = CreateContext())
        {
            // Deleted in an explicit transaction: the object goes at the commit, its outbox row only at this context's next save.
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Remove(await context.Documents.SingleAsync());
            await context.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        Assert.Equal(1, await OutboxCount());
        Assert.False(await Files.ExistsAsync(key));
        var second = await Insert("second", "same bytes", new FileObjectOptions { Key = key }); // the same key and the same content

        await using (var context = CreateContext())
        {
            var report = await context.ProcessPendingStorageDeletesAsync();
            Assert.Equal(1, report.Deleted); // the row is done: the version it recorded is gone
        }

        Assert.Equal("same bytes", await StoredText(second.File!));
        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task A_conditional_delete_removes_only_the_recorded_version()
    {
        var key = $"versioned/{Guid.NewGuid():N}.bin";
        var first = await Files.UploadAsync(key, new MemoryStream(Bytes("v")));
        Assert.True(await Files.Inner.DeleteAsync(key, new StorageDeleteOptions { IfMatchETag = first.ETag }));
        var second = await Files.UploadAsync(key, new MemoryStream(Bytes("v")));
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.False(await Files.Inner.DeleteAsync(key, new StorageDeleteOptions { IfMatchETag = first.ETag }));
        Assert.True(await Files.ExistsAsync(key));
        Assert.True(await Files.Inner.DeleteAsync(key, new StorageDeleteOptions()));
        Assert.False(await Files.Inner.DeleteAsync(key, new StorageDeleteOptions { IfMatchETag = second.ETag }));
        Assert.False(await Files.ExistsAsync(key));
    }

    [Fact]
    public async Task A_large_backlog_is_processed_with_a_constant_number_of_parameters_per_statement()
    {
        const int Rows = 2_500;
        var stored = await SeedAsync(Rows, storedObjects: 200);
        var commands = new CommandRecorder();
        await using (var context = new LifecycleContext(CreateOptions().AddInterceptors(commands).Options))
        {
            var report = await context.ProcessPendingStorageDeletesAsync(batchSize: 300);
            Assert.Equal(Rows, report.Deleted);
            Assert.Equal(0, report.Failed);
        }

        Assert.Equal(0, await OutboxCount());
        foreach (var key in stored)
        {
            Assert.False(await Files.ExistsAsync(key));
        }

        Assert.InRange(commands.MaxParameters, 1, 60); // independent of the backlog: the old code used one parameter per row seen
        Assert.InRange(commands.Count, 1, 4 * ((Rows / 300) + 2)); // claim, read, delete per batch (+ the final empty claim)
    }

    [Fact]
    public async Task Failures_are_updated_in_bulk_and_retried_by_the_next_run()
    {
        const int Rows = 240;
        await SeedAsync(Rows, storedObjects: Rows);
        Files.FailDeletes = true;
        var commands = new CommandRecorder();
        await using (var context = new LifecycleContext(CreateOptions().AddInterceptors(commands).Options))
        {
            var report = await context.ProcessPendingStorageDeletesAsync(batchSize: 100);
            Assert.Equal(0, report.Deleted);
            Assert.Equal(Rows, report.Failed);
            Assert.Equal(Rows, report.Failures.Count);
            Assert.All(await context.Set<PendingStorageDelete>().ToListAsync(), r =>
            {
                Assert.Equal(1, r.Attempts);
                Assert.NotNull(r.LastError);
                Assert.Null(r.ClaimToken);
            });
        }

        Assert.True(commands.Updates <= 12, $"{commands.Updates} UPDATE statements for {Rows} failures: not in bulk");
        Files.FailDeletes = false;
        await using (var context = CreateContext())
        {
            Assert.Equal(Rows, (await context.ProcessPendingStorageDeletesAsync(batchSize: 100)).Deleted);
        }

        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task Two_processors_at_once_delete_every_row_exactly_once()
    {
        const int Rows = 1_000;
        var stored = await SeedAsync(Rows, storedObjects: 300);
        await using var a = CreateContext();
        await using var b = CreateContext();
        var reports = await Task.WhenAll(
            Task.Run(() => a.ProcessPendingStorageDeletesAsync(batchSize: 50)),
            Task.Run(() => b.ProcessPendingStorageDeletesAsync(batchSize: 50)));
        Assert.Equal(Rows, reports.Sum(r => r.Deleted));
        Assert.Equal(0, await OutboxCount());
        foreach (var key in stored)
        {
            Assert.False(await Files.ExistsAsync(key));
        }
    }

    [Fact]
    public async Task Processing_refuses_to_run_inside_the_callers_transaction()
    {
        await using var context = CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => context.ProcessPendingStorageDeletesAsync());
        Assert.Contains("open transaction", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delete_recorded_through_the_internal_service_runs_after_the_save_commits_and_never_on_rollback()
    {
        var document = await Insert("doc", "content");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            RecordedDeletes.Record(context, "files", document.File!.Key, document.File.ETag);
            await context.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        await AssertStored(document.File!);
        Assert.Equal(0, await OutboxCount());
        await using (var context = CreateContext())
        {
            RecordedDeletes.Record(context, "files", document.File!.Key, document.File.ETag);
            await context.SaveChangesAsync();
        }

        await AssertGone(document.File!);
        Assert.Equal(0, await OutboxCount());
    }

    /// <summary>Adds <paramref name="rows"/> outbox rows; the first <paramref name="storedObjects"/> name real objects (with their ETag).</summary>
    private async Task<List<string>> SeedAsync(int rows, int storedObjects)
    {
        var keys = new List<string>();
        await using var context = CreateContext();
        for (var i = 0; i < rows; i++)
        {
            var key = $"backlog/{Guid.NewGuid():N}";
            // A version for every row: a row without one whose object is already gone needs no storage delete at all.
            var etag = "\"gone\"";
            if (i < storedObjects)
            {
                etag = (await Files.UploadAsync(key, new MemoryStream(Bytes("x")))).ETag;
                keys.Add(key);
            }

            context.Add(new PendingStorageDelete { Id = Guid.CreateVersion7(), Backend = "files", Key = key, ETag = etag, EnqueuedAt = DateTime.UtcNow });
        }

        // Saved while deletes fail, so that they stay recorded: a backlog, as an outage would leave.
        var failing = Files.FailDeletes;
        Files.FailDeletes = true;
        try
        {
            await context.SaveChangesAsync();
        }
        finally
        {
            Files.FailDeletes = failing;
        }

        return keys;
    }

    private sealed class CommandRecorder : DbCommandInterceptor
    {
        public int Count { get; private set; }

        public int Updates { get; private set; }

        public int MaxParameters { get; private set; }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        private void Record(DbCommand command)
        {
            Count++;
            Updates += command.CommandText.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
            MaxParameters = Math.Max(MaxParameters, command.Parameters.Count);
        }
    }
}

public sealed class SqliteLocalRecordedDeleteTests(LocalLifecycleStorageFixture storage)
    : RecordedDeleteTests(new SqliteTestStore(), storage), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalRecordedDeleteTests(PostgresServerFixture server, LocalLifecycleStorageFixture storage)
    : RecordedDeleteTests(new PostgresTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;

public sealed class SqliteInMemoryRecordedDeleteTests(LifecycleStorageFixture storage)
    : RecordedDeleteTests(new SqliteTestStore(), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresInMemoryRecordedDeleteTests(PostgresServerFixture server, LifecycleStorageFixture storage)
    : RecordedDeleteTests(new PostgresTestStore(server), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbLocalRecordedDeleteTests(MariaDbServerFixture server, LocalLifecycleStorageFixture storage)
    : RecordedDeleteTests(new MariaDbTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;
