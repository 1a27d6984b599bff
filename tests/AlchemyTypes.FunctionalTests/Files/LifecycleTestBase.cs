using System.Text;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.EntityFrameworkCore;

namespace AlchemyTypes.FunctionalTests.Files;

/// <summary>
/// What every lifecycle test class shares: a fresh database per test, the class's storage (a real backend behind a
/// fault-injecting wrapper, plus an in-memory "secondary"), and assertions on which objects exist.
/// </summary>
public abstract class LifecycleTestBase(ITestStore store, LifecycleStorageFixture storage) : IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    protected LifecycleStorageFixture Storage { get; } = storage;

    protected FaultyStorageBackend Files => Storage.Primary;

    public async Task InitializeAsync()
    {
        Storage.Primary.Reset();
        Database = await store.CreateDatabaseAsync();
        await using var context = CreateContext();
        await context.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        Storage.Primary.Reset();
        await Database.DisposeAsync();
    }

    protected DbContextOptionsBuilder<LifecycleContext> CreateOptions()
    {
        var builder = new DbContextOptionsBuilder<LifecycleContext>();
        Database.UseProvider(builder);
        builder.AddAlchemyTypes(a => a.AddStorage("files", Storage.Primary).AddStorage("secondary", Storage.Secondary));
        return builder;
    }

    protected LifecycleContext CreateContext() => new(CreateOptions().Options);

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected async Task AssertStored(params FileObject[] files)
    {
        foreach (var file in files)
        {
            Assert.True(await Files.ExistsAsync(file.Key), $"{file.Key} should exist in storage");
        }
    }

    protected async Task AssertGone(params FileObject[] files)
    {
        foreach (var file in files)
        {
            Assert.False(await Files.ExistsAsync(file.Key), $"{file.Key} should not exist in storage");
        }
    }

    /// <summary>The content of the stored object, read straight from the backend.</summary>
    protected async Task<string> StoredText(FileObject file)
    {
        await using var stream = await Files.OpenReadAsync(file.Key);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    protected async Task<int> OutboxCount()
    {
        await using var context = CreateContext();
        return await context.Set<PendingStorageDelete>().CountAsync();
    }

    protected async Task<Document> Insert(string name, string content, FileObjectOptions? options = null)
    {
        await using var context = CreateContext();
        var document = new Document { Name = name, File = FileObject.FromBytes(Bytes(content), name + ".txt", options) };
        context.Add(document);
        await context.SaveChangesAsync();
        return document;
    }
}
