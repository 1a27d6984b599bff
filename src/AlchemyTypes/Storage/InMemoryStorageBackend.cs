using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using AlchemyTypes.Storage;

namespace AlchemyTypes;

/// <summary>
/// A thread-safe backend that keeps objects in process memory, for tests and prototypes. It obeys the same contract as
/// the durable backends (key rules, overwrite protection, ranges, metadata). Content is held whole in memory by design.
/// </summary>
public sealed class InMemoryStorageBackend : IStorageBackend
{
    private readonly ConcurrentDictionary<string, Entry> _objects = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty store.</summary>
    public InMemoryStorageBackend()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates an empty store whose last-modified times come from <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The clock.</param>
    public InMemoryStorageBackend(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>The keys stored now, in no particular order.</summary>
    public IReadOnlyCollection<string> Keys => _objects.Keys.ToArray();

    /// <inheritdoc />
    public async Task<StoredObjectInfo> UploadAsync(string key, Stream content, StorageUploadOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Store(key, buffer.ToArray(), options);
    }

    /// <inheritdoc />
    public StoredObjectInfo Upload(string key, Stream content, StorageUploadOptions? options = null)
    {
        StorageKey.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        return Store(key, buffer.ToArray(), options);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, StorageRange? range = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(OpenRead(key, range));
    }

    /// <inheritdoc />
    public Stream OpenRead(string key, StorageRange? range = null)
    {
        var entry = Get(key);
        var (start, count) = range?.Clip(entry.Data.Length) ?? (0, entry.Data.Length);
        return new MemoryStream(entry.Data, (int)start, (int)count, writable: false);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        return Task.FromResult(_objects.ContainsKey(key));
    }

    /// <inheritdoc />
    public Task<StoredObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default)
        => Task.FromResult(Get(key).Info);

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        _objects.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string key, StorageDeleteOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        StorageKey.Validate(key);
        cancellationToken.ThrowIfCancellationRequested();
        if (!_objects.TryGetValue(key, out var entry))
        {
            return Task.FromResult(false);
        }

        if (options.IfMatchETag is { } etag && !string.Equals(etag, entry.Info.ETag, StringComparison.Ordinal))
        {
            return Task.FromResult(false);
        }

        // Removes this entry only: an object stored under the key after the lookup is a different entry and stays.
        return Task.FromResult(_objects.TryRemove(new KeyValuePair<string, Entry>(key, entry)));
    }

    /// <inheritdoc />
    public Task<StorageDeleteResult> DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(DeleteMany(keys));
    }

    /// <inheritdoc />
    public StorageDeleteResult DeleteMany(IReadOnlyCollection<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var (valid, failed) = StorageKey.Partition(keys);
        foreach (var key in valid)
        {
            _objects.TryRemove(key, out _);
        }

        return new StorageDeleteResult(valid, failed, requestCount: keys.Count);
    }

    /// <inheritdoc />
    public bool CanList => true;

    /// <inheritdoc />
    public IAsyncEnumerable<StoredObjectInfo> ListAsync(StorageListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StorageListOptions();
        options.Validate();
        return ListCoreAsync(options, cancellationToken);
    }

    /// <inheritdoc />
    public override string ToString() => "in-memory storage";

    private async IAsyncEnumerable<StoredObjectInfo> ListCoreAsync(StorageListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A snapshot of the keys (the store holds every object's content in memory anyway), sorted once.
        var keys = _objects.Keys
            .Where(k => string.IsNullOrEmpty(options.Prefix) || k.StartsWith(options.Prefix, StringComparison.Ordinal))
            .Where(k => options.StartAfter is null || StorageKey.Order.Compare(k, options.StartAfter) > 0)
            .ToArray();
        Array.Sort(keys, StorageKey.Order);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_objects.TryGetValue(key, out var entry))
            {
                yield return entry.Info;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private StoredObjectInfo Store(string key, byte[] data, StorageUploadOptions? options)
    {
        var info = new StoredObjectInfo
        {
            Key = key,
            Size = data.Length,
            ContentType = options?.ContentType ?? "application/octet-stream",
            // Content hash and a per-write part: a later write of the same bytes under the same key is another version.
            ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(data).AsSpan(0, 12)) + "-" + Guid.NewGuid().ToString("N")[..12] + "\"",
            LastModified = _timeProvider.GetUtcNow(),
            Metadata = new Dictionary<string, string>(options?.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        };
        var entry = new Entry(data, info);
        if (options?.Overwrite == true)
        {
            _objects[key] = entry;
        }
        else if (!_objects.TryAdd(key, entry))
        {
            throw StorageObjectExistsException.ForKey(key, ToString());
        }

        return info;
    }

    private Entry Get(string key)
    {
        StorageKey.Validate(key);
        return _objects.TryGetValue(key, out var entry) ? entry : throw StorageObjectNotFoundException.ForKey(key, ToString());
    }

    private sealed record Entry(byte[] Data, StoredObjectInfo Info);
}
