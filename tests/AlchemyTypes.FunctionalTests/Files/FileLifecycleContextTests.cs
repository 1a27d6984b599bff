using System.Text;
using System.Transactions;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// The lifecycle across the ways a context is used: synchronous saves, ambient TransactionScope, pooled contexts, other
/// interceptors, projections.
/// </summary>
public abstract class FileLifecycleContextTests(ITestStore store, LifecycleStorageFixture storage) : LifecycleTestBase(store, storage)
{
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
    public async Task Pooled_contexts_keep_no_state_between_leases()
    {
        var services = new ServiceCollection();
        services.AddDbContextPool<LifecycleContext>(o => Database.UseProvider(o).AddAlchemyTypes(a => a.AddStorage("files",
            Storage.Primary).AddStorage("secondary", Storage.Secondary)));
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
        Database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", Storage.Primary).AddStorage("secondary", Storage.Secondary));
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

public sealed class SqliteLocalFileLifecycleContextTests(LocalLifecycleStorageFixture storage)
    : FileLifecycleContextTests(new SqliteTestStore(), storage), IClassFixture<LocalLifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresLocalFileLifecycleContextTests(PostgresServerFixture server, LocalLifecycleStorageFixture storage)
    : FileLifecycleContextTests(new PostgresTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;

public sealed class SqliteInMemoryFileLifecycleContextTests(LifecycleStorageFixture storage)
    : FileLifecycleContextTests(new SqliteTestStore(), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresInMemoryFileLifecycleContextTests(PostgresServerFixture server, LifecycleStorageFixture storage)
    : FileLifecycleContextTests(new PostgresTestStore(server), storage), IClassFixture<LifecycleStorageFixture>;

[Collection(PostgresCloudCollection.Name)]
public sealed class PostgresS3FileLifecycleContextTests(PostgresServerFixture server, S3LifecycleStorageFixture storage)
    : FileLifecycleContextTests(new PostgresTestStore(server), storage), IClassFixture<S3LifecycleStorageFixture>;

[Collection(PostgresCloudCollection.Name)]
public sealed class PostgresAzureFileLifecycleContextTests(PostgresServerFixture server, AzureLifecycleStorageFixture storage)
    : FileLifecycleContextTests(new PostgresTestStore(server), storage), IClassFixture<AzureLifecycleStorageFixture>;

[Collection(MariaDbCollection.Name)]
public sealed class MariaDbLocalFileLifecycleContextTests(MariaDbServerFixture server, LocalLifecycleStorageFixture storage)
    : FileLifecycleContextTests(new MariaDbTestStore(server), storage), IClassFixture<LocalLifecycleStorageFixture>;
