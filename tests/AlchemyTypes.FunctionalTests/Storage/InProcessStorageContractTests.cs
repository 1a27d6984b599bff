using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;

namespace AlchemyTypes.FunctionalTests.Storage;

public sealed class InMemoryStorageContractTests : StorageContractTests
{
    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(new InMemoryStorageBackend());
}

public sealed class LocalFileSystemStorageContractTests : StorageContractTests
{
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-local");

    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(new LocalFileSystemStorageBackend(_root));

    protected override Task DisposeBackendAsync(IStorageBackend backend)
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }
}
