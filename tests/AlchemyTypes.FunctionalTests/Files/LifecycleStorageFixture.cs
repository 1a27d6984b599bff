using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// The backends a lifecycle test class uses, created once per class (backends are part of EF Core's model cache key, so an
/// application creates them once; so do the tests). "files" is a real backend behind a fault-injecting wrapper; "secondary"
/// is in memory. Subclass and override <see cref="CreatePrimaryAsync"/> to run the lifecycle suite on another backend.
/// </summary>
public class LifecycleStorageFixture : IAsyncLifetime
{
    private FaultyStorageBackend? _primary;

    public FaultyStorageBackend Primary => _primary ?? throw new InvalidOperationException("Not initialised.");

    public InMemoryStorageBackend Secondary { get; } = new();

    /// <summary>
    /// Whether the backend refuses to create a key that another writer created after this upload checked for it (an
    /// atomic create: a conditional write, a no-replace rename, an atomic insert). A store that cannot (s3rver ignores
    /// <c>If-None-Match</c>) protects only with the check before the upload, and there the later writer wins.
    /// </summary>
    public virtual bool RejectsConcurrentCreatesOfOneKey => true;

    public async Task InitializeAsync() => _primary = new FaultyStorageBackend(await CreatePrimaryAsync());

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected virtual Task<IStorageBackend> CreatePrimaryAsync() => Task.FromResult<IStorageBackend>(new InMemoryStorageBackend());
}

/// <summary>The lifecycle suite's storage on the local file system, in a temp folder deleted afterwards.</summary>
public sealed class LocalLifecycleStorageFixture : LifecycleStorageFixture
{
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-lifecycle");

    public override Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    protected override Task<IStorageBackend> CreatePrimaryAsync() => Task.FromResult<IStorageBackend>(new LocalFileSystemStorageBackend(_root));
}
