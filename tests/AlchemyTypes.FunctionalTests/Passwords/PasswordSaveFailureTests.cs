using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Passwords;
using AlchemyTypes.Testing;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Passwords;

/// <summary>Hashing that fails or is cancelled mid-way, and ExecuteUpdate with a pending hash; once per database.</summary>
public abstract class PasswordSaveFailureTests(ITestStore store) : IAsyncLifetime
{
    private const string Secret = "correct horse battery staple";
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private PasswordContext CreateContext() => new(SecretsConfiguration.Configure<PasswordContext>(_database, store).Options);

    private PasswordContext CreateContext(IPasswordHasher hasher)
    {
        var builder = new DbContextOptionsBuilder<PasswordContext>();
        _database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddPasswordHasher(hasher, useForNewHashes: true));
        return new PasswordContext(builder.Options);
    }

    [Promise("P-PWD-10")]
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_hasher_that_fails_fails_the_save_and_nothing_is_written(bool async)
    {
        await using (var context = CreateContext(new BlockingHasher(fail: true)))
        {
            context.Add(new Account { Name = "no password" });
            context.Add(new Account { Name = "failing", Password = PasswordHash.FromPassword(Secret) });
            var error = async ? await Record.ExceptionAsync(() => context.SaveChangesAsync()) : Record.Exception(() => context.SaveChanges());
            Assert.NotNull(error);
            Assert.Contains(BlockingHasher.FailureMessage, ChainOf(error), StringComparison.Ordinal);
        }

        await using var check = CreateContext();
        Assert.Equal(0, await check.Accounts.CountAsync());
    }

    [Promise("P-PWD-10")]
    [Fact]
    public async Task Cancelling_while_the_password_is_being_hashed_saves_nothing()
    {
        var hasher = new BlockingHasher(fail: false);
        using var cancel = new CancellationTokenSource();
        await using (var context = CreateContext(hasher))
        {
            context.Add(new Account { Name = "cancelled", Password = PasswordHash.FromPassword(Secret) });
            var save = context.SaveChangesAsync(cancel.Token);
            await hasher.Started.Task.WaitAsync(TimeSpan.FromMinutes(1)); // hashing has begun: only now cancel
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => save);
        }

        await using var check = CreateContext();
        Assert.Equal(0, await check.Accounts.CountAsync());
    }

    [Promise("P-PWD-07")]
    [Fact]
    public async Task ExecuteUpdate_with_a_pending_hash_throws_and_changes_nothing()
    {
        int id;
        string stored;
        await using (var context = CreateContext())
        {
            var account = new Account { Name = "bulk", Password = PasswordHash.FromPassword(Secret) };
            context.Add(account);
            await context.SaveChangesAsync();
            (id, stored) = (account.Id, account.Password!.EncodedHash!);
        }

        await using (var context = CreateContext())
        {
            var pending = PasswordHash.FromPassword("another password");
            await Assert.ThrowsAsync<PasswordHashStateException>(
                () => context.Accounts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Password, pending)));

            // A hashed value is fine there.
            var hashed = PasswordHash.FromHash(stored);
            Assert.Equal(1, await context.Accounts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Password, hashed)));
        }

        await using var check = CreateContext();
        var loaded = await check.Accounts.SingleAsync();
        Assert.Equal(stored, loaded.Password!.EncodedHash);
        Assert.True(loaded.Password.Verify(Secret));
    }

    private static string ChainOf(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" | ", messages);
    }

    /// <summary>A hasher that either fails or waits (until cancelled) once hashing has started.</summary>
    private sealed class BlockingHasher(bool fail) : IPasswordHasher
    {
        public const string FailureMessage = "the hashing service is out of order";

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Algorithm => "blocking";

        public bool CanVerify(string encodedHash) => false;

        public string Hash(ReadOnlySpan<byte> passwordUtf8)
        {
            Started.TrySetResult();
            throw new InvalidOperationException(FailureMessage);
        }

        public async ValueTask<string> HashAsync(ReadOnlyMemory<byte> passwordUtf8, CancellationToken cancellationToken = default)
        {
            Started.TrySetResult();
            if (fail)
            {
                throw new InvalidOperationException(FailureMessage);
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }

        public bool Verify(ReadOnlySpan<byte> passwordUtf8, string encodedHash) => false;

        public bool NeedsRehash(string encodedHash) => true;
    }
}

public sealed class SqlitePasswordSaveFailureTests() : PasswordSaveFailureTests(new SqliteTestStore());

[Collection(PostgresCollection.Name)]
public sealed class PostgresPasswordSaveFailureTests(PostgresServerFixture server) : PasswordSaveFailureTests(new PostgresTestStore(server));
