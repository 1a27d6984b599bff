using AlchemyTypes.Storage;

namespace AlchemyTypes.Tests.Files;

public sealed class StorageRegistryTests
{
    [Fact]
    public void First_backend_is_the_default_unless_named()
    {
        var a = new InMemoryStorageBackend();
        var b = new InMemoryStorageBackend();
        Assert.Same(a, new StorageRegistry([new("a", a), new("b", b)]).Default);
        Assert.Same(b, new StorageRegistry([new("a", a), new("b", b)], "b").Default);
    }

    [Fact]
    public void Configuration_mistakes_are_typed_errors_that_say_what_to_do()
    {
        var backend = new InMemoryStorageBackend();
        Assert.Throws<AlchemyTypesConfigurationException>(() => new StorageRegistry([]));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new StorageRegistry([new("a", backend), new("a", backend)]));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new StorageRegistry([new("a", backend)], "missing"));
        Assert.Throws<AlchemyTypesConfigurationException>(() => new StorageRegistry([new("has space", backend)]));
        var error = Assert.Throws<AlchemyTypesConfigurationException>(() => new StorageRegistry([new("a", backend)]).Get("b"));
        Assert.Contains("AddStorage(\"b\"", error.Message, StringComparison.Ordinal);
    }
}
