using System.Data.Common;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// The scope of a change is the transaction and its savepoints; an unknown commit outcome keeps every object; nothing after
/// the commit turns a committed save into an exception; pooled contexts clean up on every lease.
/// </summary>
public abstract class FileTransactionScopeTests(ITestStore store, LifecycleStorageFixture storage) : LifecycleTestBase(store, storage)
{
    [Fact]
    public async Task Rolling_back_to_a_savepoint_forgets_its_deletes_and_removes_its_uploads()
    {
        var document = await Insert("doc", "kept");
        var rolledBack = FileObject.FromBytes(Bytes("rolled back"), "rb.txt");
        var committed = FileObject.FromBytes(Bytes("committed"), "c.txt");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            context.Add(new Document { Name = "other", File = committed });
            await context.SaveChangesAsync();
            await transaction.CreateSavepointAsync("before-change");
            var loaded = await context.Documents.SingleAsync(d => d.Name == "doc");
            loaded.File = rolledBack; // records the delete of "kept" and uploads a new file
            await context.SaveChangesAsync();
            await transaction.RollbackToSavepointAsync("before-change");
            await AssertGone(rolledBack);
            await transaction.CommitAsync();
        }

        await using (var context = CreateContext())
        {
            await context.ProcessPendingStorageDeletesAsync();
            var row = await context.Documents.SingleAsync(d => d.Name == "doc");
            Assert.Equal(document.File!.Key, row.File!.Key);
            Assert.Equal("kept", await StoredText(row.File));
        }

        await AssertStored(document.File!, committed);
        await AssertGone(rolledBack);
        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task Work_after_a_released_savepoint_commits_with_the_transaction()
    {
        var document = await Insert("doc", "old");
        var replacement = FileObject.FromBytes(Bytes("new"), "new.txt");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            await transaction.CreateSavepointAsync("sp");
            (await context.Documents.SingleAsync()).File = replacement;
            await context.SaveChangesAsync();
            await transaction.ReleaseSavepointAsync("sp");
            await transaction.CommitAsync();
        }

        await AssertGone(document.File!);
        await AssertStored(replacement);
    }

    [Fact]
    public async Task A_failed_save_inside_a_transaction_rolls_back_to_EFs_savepoint_and_the_transaction_goes_on()
    {
        await Insert("taken", "existing");
        var duplicate = FileObject.FromBytes(Bytes("duplicate"), "dup.txt");
        var good = FileObject.FromBytes(Bytes("good"), "good.txt");
        await using (var context = CreateContext())
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            var failing = new Document { Name = "taken", File = duplicate };
            context.Add(failing);
            await Assert.ThrowsAsync<DbUpdateException>(() => context.SaveChangesAsync());
            await AssertGone(duplicate);
            context.Remove(failing);
            context.Add(new Document { Name = "free", File = good });
            await context.SaveChangesAsync();
            await transaction.CommitAsync();
        }

        await AssertStored(good);
        await using var check = CreateContext();
        Assert.Equal(2, await check.Documents.CountAsync());
    }

    [Fact]
    public async Task A_commit_that_reached_the_database_and_then_failed_keeps_the_files_of_SaveChanges_own_transaction()
    {
        var failCommit = new CommitOutcomeLostInterceptor();
        var file = FileObject.FromBytes(Bytes("committed anyway"), "c.txt");
        await using (var context = new LifecycleContext(CreateOptions().AddInterceptors(failCommit).Options))
        {
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
            context.Add(new Document { Name = "doc", File = file });
            failCommit.Armed = true;
            await Assert.ThrowsAnyAsync<Exception>(() => context.SaveChangesAsync());
        }

        // The row committed: its file must be there.
        await using var check = CreateContext();
        var row = await check.Documents.SingleAsync();
        Assert.Equal("committed anyway", await StoredText(row.File!));
    }

    [Fact]
    public async Task A_commit_with_an_unknown_outcome_in_an_explicit_transaction_deletes_nothing_until_processed()
    {
        var document = await Insert("doc", "old");
        var replacement = FileObject.FromBytes(Bytes("new"), "new.txt");
        var failCommit = new CommitOutcomeLostInterceptor();
        await using (var context = new LifecycleContext(CreateOptions().AddInterceptors(failCommit).Options))
        {
            await using var transaction = await context.Database.BeginTransactionAsync();
            (await context.Documents.SingleAsync()).File = replacement;
            await context.SaveChangesAsync();
            failCommit.Armed = true;
            await Assert.ThrowsAnyAsync<Exception>(() => transaction.CommitAsync());
        }

        await AssertStored(replacement); // the committed row points at it

        // The recorded delete of the old file committed with the row: processing finishes it.
        await using (var context = CreateContext())
        {
            Assert.Equal(1, (await context.ProcessPendingStorageDeletesAsync()).Deleted);
            Assert.Equal(replacement.Key, (await context.Documents.SingleAsync()).File!.Key);
        }

        await AssertGone(document.File!);
        await AssertStored(replacement);
    }

    [Fact]
    public async Task Cancelling_the_callers_token_after_the_commit_does_not_fail_the_save()
    {
        var document = await Insert("doc", "old");
        var replacement = FileObject.FromBytes(Bytes("new"), "new.txt");
        using var cts = new CancellationTokenSource();
        var cancel = new CancelAfterCommitInterceptor(cts);
        await using (var context = new LifecycleContext(CreateOptions().AddInterceptors(cancel).Options))
        {
            context.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
            (await context.Documents.SingleAsync()).File = replacement;
            Assert.Equal(2, await context.SaveChangesAsync(cts.Token)); // the row and the recorded delete of its old file
            Assert.True(cts.IsCancellationRequested);
        }

        await AssertGone(document.File!);
        await AssertStored(replacement);
        Assert.Equal(0, await OutboxCount());
    }

    [Fact]
    public async Task A_pooled_context_cleans_up_a_failed_save_on_every_lease()
    {
        var services = new ServiceCollection();
        services.AddDbContextPool<LifecycleContext>(
            o => Database.UseProvider(o).AddAlchemyTypes(a => a.AddStorage("files", Storage.Primary).AddStorage("secondary", Storage.Secondary)),
            poolSize: 1);
        await using var provider = services.BuildServiceProvider();
        await Insert("doc", "old");
        for (var lease = 0; lease < 3; lease++)
        {
            var loser = FileObject.FromBytes(Bytes("loser"), $"loser{lease}.txt");
            await using (var scope = provider.CreateAsyncScope())
            {
                var context = scope.ServiceProvider.GetRequiredService<LifecycleContext>();
                var row = await context.Documents.SingleAsync();
                await using (var other = CreateContext())
                {
                    (await other.Documents.SingleAsync()).Version++;
                    await other.SaveChangesAsync();
                }

                row.File = loser;
                row.Version++;
                await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => context.SaveChangesAsync());
            }

            await AssertGone(loser);
        }
    }

    /// <summary>Makes a commit that reached the database report a failure, as a connection lost during COMMIT does.</summary>
    private sealed class CommitOutcomeLostInterceptor : DbTransactionInterceptor
    {
        public bool Armed { get; set; }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
            CancellationToken cancellationToken = default)
            => Armed ? throw new TimeoutException("injected: the connection dropped after COMMIT was sent") : Task.CompletedTask;
    }

    private sealed class CancelAfterCommitInterceptor(CancellationTokenSource cts) : DbTransactionInterceptor
    {
        public override async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
            CancellationToken cancellationToken = default)
            => await cts.CancelAsync();
    }
}

public sealed class SqliteLocalFileTransactionScopeTests(LocalLifecycleStorageFixture storage)
    : FileTransactionScopeTests(new SqliteTestStore(), storage), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalFileTransactionScopeTests(PostgresServerFixture server, LocalLifecycleStorageFixture storage)
    : FileTransactionScopeTests(new PostgresTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;

public sealed class SqliteInMemoryFileTransactionScopeTests(LifecycleStorageFixture storage)
    : FileTransactionScopeTests(new SqliteTestStore(), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresInMemoryFileTransactionScopeTests(PostgresServerFixture server, LifecycleStorageFixture storage)
    : FileTransactionScopeTests(new PostgresTestStore(server), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbLocalFileTransactionScopeTests(MariaDbServerFixture server, LocalLifecycleStorageFixture storage)
    : FileTransactionScopeTests(new MariaDbTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;
