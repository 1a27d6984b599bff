namespace AlchemyTypes.FunctionalTests.TestUtilities;

/// <summary>
/// An HTTP handler between an SDK and its server that flips one byte in the middle of every PUT body of at least
/// <see cref="MinimumBodySize"/> bytes, keeping every header (Content-MD5 included) as the SDK set it: a faulty proxy or NIC
/// in one class. The server really receives (and, unless it checks, stores) the altered bytes.
/// </summary>
public sealed class CorruptingHandler : DelegatingHandler
{
    private int _corrupted;

    public CorruptingHandler()
        : base(new SocketsHttpHandler())
    {
    }

    /// <summary>Bodies shorter than this pass unchanged (block lists, small XML requests).</summary>
    public int MinimumBodySize { get; init; } = 64 * 1024;

    /// <summary>How many bodies were altered.</summary>
    public int Corrupted => Volatile.Read(ref _corrupted);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Put && request.Content is { } content && content.Headers.ContentLength >= MinimumBodySize)
        {
            var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
            bytes[bytes.Length / 2] ^= 0x5A;
            var altered = new ByteArrayContent(bytes);
            foreach (var header in content.Headers)
            {
                altered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            request.Content = altered;
            Interlocked.Increment(ref _corrupted);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
