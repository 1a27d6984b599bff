using AlchemyTypes.FunctionalTests.Storage.Cloud;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using AlchemyTypes.Storage.S3;
using Amazon.S3;

namespace AlchemyTypes.FunctionalTests.Maintenance;

/// <summary>PostgreSQL with the S3 test server only (the cloud lifecycle collection also needs Azurite).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresS3Collection : ICollectionFixture<PostgresServerFixture>, ICollectionFixture<S3ServerFixture>
{
    public const string Name = "PostgreSQL + S3";
}

/// <summary>The backends of a maintenance test class: "files" (a real backend that lists) and "secondary" (in memory).</summary>
public abstract class MaintenanceStorageFixture : IAsyncLifetime
{
    private IStorageBackend? _files;

    public IStorageBackend Files => _files ?? throw new InvalidOperationException("Not initialised.");

    public InMemoryStorageBackend Secondary { get; } = new();

    public async Task InitializeAsync() => _files = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected abstract Task<IStorageBackend> CreateAsync();
}

public sealed class LocalMaintenanceStorageFixture : MaintenanceStorageFixture
{
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-maintenance");

    public string Root => _root;

    public override Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    protected override Task<IStorageBackend> CreateAsync() => Task.FromResult<IStorageBackend>(new LocalFileSystemStorageBackend(_root));
}

public sealed class S3MaintenanceStorageFixture(S3ServerFixture server) : MaintenanceStorageFixture
{
    private readonly IAmazonS3 _client = server.CreateClient();
    private string? _bucket;

    public string Bucket => _bucket ?? throw new InvalidOperationException("Not initialised.");

    public override async Task DisposeAsync()
    {
        if (_bucket is not null)
        {
            await S3TestBuckets.DeleteAsync(_client, _bucket);
        }

        _client.Dispose();
    }

    protected override async Task<IStorageBackend> CreateAsync()
    {
        _bucket = await S3TestBuckets.CreateAsync(_client);
        return new S3StorageBackend(_client, S3TestBuckets.Options(server, _bucket));
    }
}
