using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.FunctionalTests.DirectUploads;

/// <summary>A real Kestrel server on a free 127.0.0.1 port serving a signing local backend with MapAlchemyTypesLocalStorage.</summary>
internal sealed class LocalStorageHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalStorageHost(WebApplication app, LocalFileSystemStorageBackend backend, Uri baseUrl)
    {
        _app = app;
        Backend = backend;
        BaseUrl = baseUrl;
    }

    public LocalFileSystemStorageBackend Backend { get; }

    public Uri BaseUrl { get; }

    public static async Task<LocalStorageHost> StartAsync(string root, byte[] signingKey, TimeProvider? clock = null, long? maxUploadSize = null)
    {
        var port = TestEnvironment.GetFreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/files/");
        var backend = new LocalFileSystemStorageBackend(new LocalFileSystemStorageOptions
        {
            RootDirectory = root,
            SigningKey = signingKey,
            BaseUrl = baseUrl,
            TimeProvider = clock ?? TimeProvider.System,
            MaxUploadSize = maxUploadSize ?? 5L * 1024 * 1024 * 1024,
        });
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapAlchemyTypesLocalStorage(backend);
        await app.StartAsync();
        return new LocalStorageHost(app, backend, baseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
