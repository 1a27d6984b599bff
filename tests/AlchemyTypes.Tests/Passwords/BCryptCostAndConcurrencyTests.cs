using System.Diagnostics;
using AlchemyTypes.BCrypt;
using AlchemyTypes.Passwords;
using AlchemyTypes.Testing;

namespace AlchemyTypes.Tests.Passwords;

/// <summary>
/// What someone who can write the password column can do with a BCrypt hash: ask for an absurd cost (each step doubles the
/// time; cost 31 runs for days). The hasher refuses it before computing anything, and bounds how many computations run at once.
/// </summary>
[Collection(nameof(BCryptCostAndConcurrencyTests))]
public sealed class BCryptCostAndConcurrencyTests
{
    // 22 salt characters and 31 hash characters: a well-formed hash whose only problem is its cost.
    private const string Tail = "CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

    [Theory]
    [Promise("P-PWD-50")]
    [InlineData("$2b$31$")]
    [InlineData("$2a$24$")]
    [InlineData("$2y$16$")]
    public async Task A_stored_hash_above_the_cost_limit_is_refused_with_a_typed_exception_before_any_work(string prefix)
    {
        var hasher = new BCryptPasswordHasher();
        var stored = prefix + Tail;
        Assert.True(hasher.CanVerify(stored));
        Assert.True(hasher.NeedsRehash(stored));

        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<PasswordHashCostException>(() => hasher.Verify("password"u8, stored));
        var asyncError = await Assert.ThrowsAsync<PasswordHashCostException>(() => hasher.VerifyAsync("password"u8.ToArray(), stored).AsTask());
        clock.Stop();

        // Cost 16 alone takes seconds; cost 31 days. Refusing takes next to nothing.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Equal(int.Parse(prefix[4..6], System.Globalization.CultureInfo.InvariantCulture), error.StoredCost);
        Assert.Equal(15, error.MaxCost);
        Assert.Equal("bcrypt", error.Algorithm);
        Assert.Contains("MaxVerifyWorkFactor", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.StoredCost, asyncError.StoredCost);
    }

    [Fact]
    [Promise("P-PWD-50")]
    public void The_cost_limit_is_configurable_and_a_hash_at_the_limit_verifies()
    {
        var writer = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 5 });
        var stored = writer.Hash("password"u8);
        var strict = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 4, MaxVerifyWorkFactor = 4 });
        Assert.Equal(5, Assert.Throws<PasswordHashCostException>(() => strict.Verify("password"u8, stored)).StoredCost);
        var atLimit = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 4, MaxVerifyWorkFactor = 5 });
        Assert.True(atLimit.Verify("password"u8, stored));
        Assert.False(atLimit.Verify("wrong"u8, stored));

        Assert.Throws<AlchemyTypesConfigurationException>(() => new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 12, MaxVerifyWorkFactor = 11 }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new BCryptPasswordHasher(new BCryptOptions { MaxVerifyWorkFactor = 32 }));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new BCryptPasswordHasher(new BCryptOptions { MaxConcurrency = 0 }));
        Assert.NotEqual(new BCryptPasswordHasher(new BCryptOptions { MaxVerifyWorkFactor = 14 }), new BCryptPasswordHasher());
    }

    [Fact]
    [Promise("P-PWD-51")]
    public async Task At_most_MaxConcurrency_computations_run_at_once_and_a_waiting_verification_can_be_cancelled()
    {
        var hasher = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 4, MaxVerifyWorkFactor = 15, MaxConcurrency = 1 });
        var slow = new BCryptPasswordHasher(new BCryptOptions { WorkFactor = 15 }).Hash("slow"u8);
        var quick = hasher.Hash("quick"u8);

        // One slow verification holds the only slot (cost 15: a few seconds here).
        var holder = Task.Run(() => hasher.Verify("slow"u8, slow));
        await Task.Delay(150);
        if (holder.IsCompleted)
        {
            Assert.True(await holder); // surfaces an exception the verification threw
        }

        Assert.False(holder.IsCompleted, "the slow verification should still run");

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hasher.VerifyAsync("quick"u8.ToArray(), quick, cancellation.Token).AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"cancellation took {clock.Elapsed}");
        Assert.False(holder.IsCompleted, "the waiting verification was cancelled while the slot was held");

        // A verification that waits without a token gets in once the slot is free.
        var waiter = hasher.VerifyAsync("quick"u8.ToArray(), quick).AsTask();
        Assert.True(await holder);
        Assert.True(await waiter);
    }
}

/// <summary>The concurrency test measures waiting and cancellation; other tests hashing on every core would starve it.</summary>
[CollectionDefinition(nameof(BCryptCostAndConcurrencyTests), DisableParallelization = true)]
public sealed class BCryptConcurrencyCollection;
