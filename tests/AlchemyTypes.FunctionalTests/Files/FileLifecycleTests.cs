using System.Security.Cryptography;
using System.Text;
using System.Transactions;
using AlchemyTypes.FunctionalTests.Storage;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// The FileObject lifecycle against a real database and real storage. Every test asserts exactly which objects exist
/// afterwards. Subclassed per database and per storage backend.
/// </summary>
public abstract class FileLifecycleTests(ITestStore store, LifecycleStorageFixture storage) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    protected FaultyStorageBackend Files => storage.Primary;

    public async Task InitializeAsync()
    {
        storage.Primary.Reset();
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        storage.Primary.Reset();
        await _database.DisposeAsync();
    }

    protected LifecycleContext CreateContext()
    {
        var builder = new DbContextOptionsBuilder<LifecycleContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", storage.Primary).AddStorage("secondary", storage.Secondary));
        return new LifecycleContext(builder.Options);
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private async Task AssertStored(params FileObject[] files)
    {
        foreach (var file in files)
        {
            Assert.True(await Files.ExistsAsync(file.Key), $"{file.Key} should exist in storage");
        }
    }

    private async Task AssertGone(params FileObject[] files)
    {
        foreach (var file in files)
        {
            Assert.False(await Files.ExistsAsync(file.Key), $"{file.Key} should not exist in storage");
        }
    }

    private async Task<int> OutboxCount()
    {
        await using var context = CreateContext();
        return await context.Set<PendingStorageDelete>().CountAsync();
    }

    private async Task<Document> Insert(string name, string content)
    {
        await using var context = CreateContext();
        var document = new Document { Name = name, File = FileObject.FromBytes(Bytes(content), name + ".txt") };
        context.Add(document);
        await context.SaveChangesAsync();
        return document;
    }

    [Fact]
    public async Task Insert_uploads_before_commit_and_the_row_carries_size_checksum_and_etag()
    {
        var content = RandomNumberGenerator.GetBytes(150_000);
        var document = new Document { Name = "report", File = FileObject.FromBytes(content, "report.pdf", new FileObjectOptions { Metadata = new Dictionary<string, string> { ["owner"] = "alice" } }) };
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

    [Fact]
    public async Task A_save_failing_on_a_unique_constraint_removes_its_uploads_and_keeps_the_old_files()
    {
        var existing = await Insert("taken", "existing");
        var duplicate = FileObject.FromBytes(Bytes("duplicate"), "dup.txt");
        await using (var context = CreateContext())
        {
            context.Add(new Document { Name = "taken", File = duplicate });
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        }

        await AssertGone(duplicate);
        await AssertStored(existing.File!);
        await using var check = CreateContext();
        Assert.Equal(1, await check.Documents.CountAsync());
    }

    [Fact]
    public async Task A_failed_save_can_be_retried_with_the_same_FileObject()
    {
        await Insert("taken", "existing");
        var file = FileObject.FromBytes(Bytes("retry me"), "retry.txt");
        await using var context = CreateContext();
        var document = new Document { Name = "taken", File = file };
        context.Add(document);
        await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
        Assert.True(file.HasPendingContent);
        await AssertGone(file);

        document.Name = "free";
        await context.SaveChangesAsync();
        await AssertStored(file);
        Assert.Equal("retry me", Encoding.UTF8.GetString(await file.GetBytesAsync()));
    }

    [Fact]
    public async Task A_concurrency_conflict_removes_the_new_upload_and_keeps_the_old_file()
    {
        var document = await Insert("doc", "old");
        await using var first = CreateContext();
        await using var second = CreateContext();
        var a = await first.Documents.SingleAsync();
        var b = await second.Documents.SingleAsync();
        a.Version++;
        await first.SaveChangesAsync();

        var replacement = FileObject.FromBytes(Bytes("loser"), "loser.txt");
        b.File = replacement;
        b.Version++;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        await AssertGone(replacement);
        await AssertStored(document.File!);
    }

    [Fact]
    public async Task A_backend_failing_mid_upload_fails_the_save_with_a_typed_error_and_changes_nothing()
    {
        var existing = await Insert("doc", "old");
        var good = FileObject.FromBytes(RandomNumberGenerator.GetBytes(1000), "small.bin");
        var broken = FileObject.FromStream(new NonSeekableStream(new MemoryStream(RandomNumberGenerator.GetBytes(3_000_000))), "big.bin");
        await using (var context = CreateContext())
        {
            var loaded = await context.Documents.SingleAsync();
            loaded.Attachments.Add(good);
            loaded.File = broken;
            Files.FailUploadsAfterBytes = 500_000;
            var error = await Assert.ThrowsAsync<FileStorageException>(() => context.SaveChangesAsync());
            Assert.Equal("Document.File", error.Property);
            Assert.Contains("big.bin", error.Message, StringComparison.Ordinal);
            Assert.NotNull(error.InnerException);
        }

        Files.FailUploadsAfterBytes = null;
        await AssertGone(good, broken);
        await AssertStored(existing.File!);
        await using var check = CreateContext();
        var row = await check.Documents.SingleAsync();
        Assert.Equal(existing.File!.Key, row.File!.Key);
        Assert.Empty(row.Attachments);
    }

    [Fact]
    public async Task Cancellation_mid_upload_stops_the_save_and_leaves_nothing()
    {
        using var cts = new CancellationTokenSource();
        var file = FileObject.FromStream(new CallbackStream(new MemoryStream(RandomNumberGenerator.GetBytes(4_000_000)), 1_000_000, cts.Cancel), "cancelled.bin");
        await using (var context = CreateContext())
        {
            context.Add(new Document { Name = "cancelled", File = file });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => context.SaveChangesAsync(cts.Token));
        }

        await AssertGone(file);
        await using var check = CreateContext();
        Assert.Equal(0, await check.Documents.CountAsync());
    }

    [Fact]
    public async Task A_storage_delete_failing_after_commit_stays_recorded_and_is_retried()
    {
        var document = await Insert("doc", "content");
        Files.FailDeletes = true;
        await using (var context = CreateContext())
        {
            context.Remove(await context.Documents.SingleAsync());
            await context.SaveChangesAsync(); // the row is gone; the storage delete failed
        }

        await AssertStored(document.File!);
        Assert.Equal(1, await OutboxCount());

        await using (var context = CreateContext())
        {
            var report = await context.ProcessPendingStorageDeletesAsync();
            Assert.Equal(0, report.Deleted);
            var failure = Assert.Single(report.Failures);
            Assert.Equal(document.File!.Key, failure.Key);
            var row = await context.Set<PendingStorageDelete>().SingleAsync();
            Assert.Equal(1, row.Attempts);
            Assert.NotNull(row.LastError);
        }

        Files.FailDeletes = false;
        await using (var context = CreateContext())
        {
            var report = await context.ProcessPendingStorageDeletesAsync();
            Assert.Equal(1, report.Deleted);
            Assert.Empty(report.Failures);
            var again = await context.ProcessPendingStorageDeletesAsync(); // idempotent
            Assert.Equal(0, again.Deleted);
        }

        await AssertGone(document.File!);
        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task Synchronous_SaveChanges_runs_the_same_lifecycle()
    {
        var first = FileObject.FromBytes(Bytes("sync 1"), "s1.txt");
        var second = FileObject.FromBytes(Bytes("sync 2"), "s2.txt");
        using (var context = CreateContext())
        {
            var document = new Document { Name = "sync", File = first };
            context.Add(document);
            context.SaveChanges();
            document.File = second;
            context.SaveChanges();
        }

        await AssertGone(first);
        await AssertStored(second);
        using (var context = CreateContext())
        {
            context.Remove(context.Documents.Single());
            context.SaveChanges();
            using var transaction = context.Database.BeginTransaction();
            context.Add(new Document { Name = "sync rolled back", File = first = FileObject.FromBytes(Bytes("x"), "x.txt") });
            context.SaveChanges();
            transaction.Rollback();
        }

        await AssertGone(first, second);
    }

    [Fact]
    public async Task An_ambient_TransactionScope_commits_and_rolls_back_files_with_the_rows()
    {
        await using (var probe = CreateContext())
        {
            if (probe.Database.IsSqlite())
            {
                // Microsoft.Data.Sqlite does not enlist in ambient transactions and EF Core refuses the save: nothing may be left behind.
                var refused = FileObject.FromBytes(Bytes("refused"), "refused.txt");
                using var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled);
                probe.Add(new Document { Name = "ambient", File = refused });
                await Assert.ThrowsAsync<InvalidOperationException>(() => probe.SaveChangesAsync());
                await AssertGone(refused);
                return;
            }
        }

        var kept = FileObject.FromBytes(Bytes("kept"), "kept.txt");
        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await using var context = CreateContext();
            context.Add(new Document { Name = "ambient", File = kept });
            await context.SaveChangesAsync();
            scope.Complete();
        }

        await AssertStored(kept);

        var dropped = FileObject.FromBytes(Bytes("dropped"), "dropped.txt");
        using (new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await using var context = CreateContext();
            var document = await context.Documents.SingleAsync();
            document.File = dropped;
            await context.SaveChangesAsync();
            await AssertStored(dropped, kept);
        }

        await AssertGone(dropped);
        await AssertStored(kept);

        using (var scope = new TransactionScope(TransactionScopeAsyncFlowOption.Enabled))
        {
            await using var context = CreateContext();
            context.Remove(await context.Documents.SingleAsync());
            await context.SaveChangesAsync();
            await AssertStored(kept);
            scope.Complete();
        }

        await AssertGone(kept);
        await using (var context = CreateContext())
        {
            await context.ProcessPendingStorageDeletesAsync();
        }

        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task Validators_reject_files_before_anything_is_stored()
    {
        var uploadsBefore = Files.UploadCount;
        await using var context = CreateContext();
        var tooBig = FileObject.FromBytes(new byte[1001], "big.png");
        context.Add(new Avatar { Image = tooBig });
        var size = await Assert.ThrowsAsync<FileValidationException>(() => context.SaveChangesAsync());
        Assert.Equal("Avatar.Image", size.Property);
        Assert.Contains("1000", size.Message, StringComparison.Ordinal);
        context.ChangeTracker.Clear();

        context.Add(new Avatar { Image = FileObject.FromBytes(new byte[10], "photo.jpg") });
        var type = await Assert.ThrowsAsync<FileValidationException>(() => context.SaveChangesAsync());
        Assert.Contains("image/jpeg", type.Message, StringComparison.Ordinal);
        context.ChangeTracker.Clear();

        // A stream of unknown length is stopped as soon as it passes the limit.
        var streamed = FileObject.FromStream(new NonSeekableStream(new MemoryStream(new byte[5000])), "streamed.png");
        context.Add(new Avatar { Image = streamed });
        await Assert.ThrowsAsync<FileValidationException>(() => context.SaveChangesAsync());
        await AssertGone(streamed, tooBig);
        Assert.Equal(uploadsBefore + 1, Files.UploadCount); // only the streamed one started
        context.ChangeTracker.Clear();

        var ok = FileObject.FromBytes(new byte[1000], "ok.webp");
        var backup = FileObject.FromBytes(Bytes("backup"), "backup.bin");
        context.Add(new Avatar { Image = ok, Backup = backup });
        await context.SaveChangesAsync();
        await AssertStored(ok);
        Assert.Equal("secondary", backup.Backend);
        Assert.Contains(backup.Key, storage.Secondary.Keys);
        Assert.False(await Files.ExistsAsync(backup.Key));
    }

    [Fact]
    public async Task A_value_naming_an_unknown_backend_fails_the_save_with_a_configuration_error()
    {
        await using var context = CreateContext();
        context.Add(new Document { Name = "x", File = FileObject.FromBytes(Bytes("x"), "x.txt", new FileObjectOptions { Backend = "nowhere" }) });
        var error = await Assert.ThrowsAsync<AlchemyTypesConfigurationException>(() => context.SaveChangesAsync());
        Assert.Contains("'nowhere'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, Files.UploadCount);
    }

    [Fact]
    public async Task An_existing_key_is_never_overwritten_by_a_new_file()
    {
        var original = await Insert("doc", "original");
        await using var context = CreateContext();
        context.Add(new Document { Name = "other", File = FileObject.FromBytes(Bytes("intruder"), "x.txt", new FileObjectOptions { Key = original.File!.Key }) });
        var error = await Assert.ThrowsAsync<FileStorageException>(() => context.SaveChangesAsync());
        Assert.IsType<StorageObjectExistsException>(error.InnerException);
        await using var check = CreateContext();
        Assert.Equal("original", Encoding.UTF8.GetString(await (await check.Documents.SingleAsync()).File!.GetBytesAsync()));
    }

    [Fact]
    public async Task A_key_another_save_creates_during_an_upload_is_not_replaced_where_the_store_creates_atomically()
    {
        var key = $"race/{Guid.NewGuid():N}.txt";
        using var lateIsReading = new ManualResetEventSlim();
        using var earlyIsStored = new ManualResetEventSlim();
        var late = FileObject.FromStream(
            new CallbackStream(new MemoryStream(Bytes("late")), afterBytes: 0, callback: () =>
            {
                // The late upload has checked that the key is free and is reading its content: the early save runs now.
                lateIsReading.Set();
                if (!earlyIsStored.Wait(TimeSpan.FromMinutes(2)))
                {
                    throw new InvalidOperationException("the early save did not finish");
                }
            }),
            "late.txt",
            new FileObjectOptions { Key = key });
        await using var lateContext = CreateContext();
        lateContext.Add(new Document { Name = "late", File = late });
        var lateSave = Task.Run(() => lateContext.SaveChangesAsync());
        Assert.True(lateIsReading.Wait(TimeSpan.FromMinutes(2)) || lateSave.IsCompleted, "the late upload never read its content");
        Assert.False(lateSave.IsCompleted, "the late save ended before the early one ran");

        var early = FileObject.FromBytes(Bytes("early"), "early.txt", new FileObjectOptions { Key = key });
        await using (var context = CreateContext())
        {
            context.Add(new Document { Name = "early", File = early });
            await context.SaveChangesAsync();
        }

        earlyIsStored.Set();
        await using var check = CreateContext();
        if (storage.RejectsConcurrentCreatesOfOneKey)
        {
            // An atomic create (conditional write, no-replace rename, atomic insert): the late save fails and the early file stays.
            var error = await Assert.ThrowsAsync<FileStorageException>(() => lateSave);
            Assert.IsType<StorageObjectExistsException>(error.InnerException);
            Assert.Equal(["early"], await check.Documents.Select(d => d.Name).ToListAsync());
            Assert.Equal("early", Encoding.UTF8.GetString(await early.GetBytesAsync()));
        }
        else
        {
            // The documented limit of a store that ignores If-None-Match (s3rver): only the check before the upload
            // protects, and a writer between that check and the write loses its content to the later one.
            await lateSave;
            Assert.Equal(2, await check.Documents.CountAsync());
            Assert.Equal("late", Encoding.UTF8.GetString(await early.GetBytesAsync()));
        }
    }

    [Fact]
    public async Task Pooled_contexts_keep_no_state_between_leases()
    {
        var services = new ServiceCollection();
        services.AddDbContextPool<LifecycleContext>(o => _database.UseProvider(o).AddAlchemyTypes(a => a.AddStorage("files", storage.Primary).AddStorage("secondary", storage.Secondary)));
        await using var provider = services.BuildServiceProvider();
        FileObject rolledBack;
        await using (var scope = provider.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<LifecycleContext>();
            await context.Database.BeginTransactionAsync();
            context.Add(new Document { Name = "pooled", File = rolledBack = FileObject.FromBytes(Bytes("p"), "p.txt") });
            await context.SaveChangesAsync();
            // returned to the pool with the transaction open: it rolls back, and so do its files
        }

        await AssertGone(rolledBack);
        var kept = FileObject.FromBytes(Bytes("kept"), "kept.txt");
        await using (var scope = provider.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<LifecycleContext>();
            context.Add(new Document { Name = "pooled", File = kept });
            await context.SaveChangesAsync();
        }

        await AssertStored(kept);
    }

    [Fact]
    public async Task Uploads_of_a_save_stopped_by_a_later_interceptor_are_removed()
    {
        var file = FileObject.FromBytes(Bytes("stopped"), "stopped.txt");
        var next = FileObject.FromBytes(Bytes("next"), "next.txt");
        var builder = new DbContextOptionsBuilder<LifecycleContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", storage.Primary).AddStorage("secondary", storage.Secondary));
        var veto = new VetoInterceptor();
        builder.AddInterceptors(veto);
        await using (var context = new LifecycleContext(builder.Options))
        {
            context.Add(new Document { Name = "vetoed", File = file });
            await Assert.ThrowsAsync<InvalidOperationException>(() => context.SaveChangesAsync());
            Assert.Equal(1, Files.UploadCount); // AlchemyTypes' interceptor ran (and uploaded) before the application's
            await AssertStored(file);

            // EF Core reports no failure for a save stopped before it began; the next save of the context cleans up.
            veto.Enabled = false;
            context.ChangeTracker.Clear();
            context.Add(new Document { Name = "next", File = next });
            await context.SaveChangesAsync();
            await AssertGone(file);
            await AssertStored(next);

            veto.Enabled = true;
            context.Add(new Document { Name = "vetoed again", File = file = FileObject.FromBytes(Bytes("again"), "again.txt") });
            await Assert.ThrowsAsync<InvalidOperationException>(() => context.SaveChangesAsync());
        }

        await AssertGone(file); // ... and so does disposing it
    }

    private sealed class VetoInterceptor : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
    {
        public bool Enabled { get; set; } = true;

        public override ValueTask<Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int>> SavingChangesAsync(
            Microsoft.EntityFrameworkCore.Diagnostics.DbContextEventData eventData,
            Microsoft.EntityFrameworkCore.Diagnostics.InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
            => Enabled ? throw new InvalidOperationException("vetoed by the application") : ValueTask.FromResult(result);
    }

    [Fact]
    public async Task A_projected_FileObject_is_connected_to_its_backend()
    {
        var document = await Insert("doc", "projected");
        await using var context = CreateContext();
        var file = await context.Documents.Select(d => d.File).SingleAsync();
        Assert.Equal("projected", Encoding.UTF8.GetString(await file!.GetBytesAsync()));
        Assert.Equal(document.File!.Key, file.Key);
        Assert.False(file.CanSignUrls && Files.Inner is LocalFileSystemStorageBackend);
    }
}

public sealed class SqliteLocalFileLifecycleTests(LocalLifecycleStorageFixture storage)
    : FileLifecycleTests(new SqliteTestStore(), storage), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalFileLifecycleTests(PostgresServerFixture server, LocalLifecycleStorageFixture storage)
    : FileLifecycleTests(new PostgresTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;

public sealed class SqliteInMemoryFileLifecycleTests(LifecycleStorageFixture storage)
    : FileLifecycleTests(new SqliteTestStore(), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(PostgresCloudCollection.Name)]
public sealed class PostgresS3FileLifecycleTests(PostgresServerFixture server, S3LifecycleStorageFixture storage)
    : FileLifecycleTests(new PostgresTestStore(server), storage), IClassFixture<S3LifecycleStorageFixture>;

[Collection(PostgresCloudCollection.Name)]
public sealed class PostgresAzureFileLifecycleTests(PostgresServerFixture server, AzureLifecycleStorageFixture storage)
    : FileLifecycleTests(new PostgresTestStore(server), storage), IClassFixture<AzureLifecycleStorageFixture>;

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbLocalFileLifecycleTests(MariaDbServerFixture server, LocalLifecycleStorageFixture storage)
    : FileLifecycleTests(new MariaDbTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;
