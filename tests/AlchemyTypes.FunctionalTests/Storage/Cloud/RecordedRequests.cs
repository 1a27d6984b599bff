using System.Collections.Concurrent;
using System.Net;
using Amazon.Runtime;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>Every request an SDK client sent, with the status it got (null when no response came).</summary>
public sealed class RecordedRequests
{
    private readonly ConcurrentQueue<(string Method, Uri Uri, HttpStatusCode? Status)> _requests = new();

    public IReadOnlyList<(string Method, Uri Uri, HttpStatusCode? Status)> All => [.. _requests];

    public void Add(string method, Uri uri, HttpStatusCode? status) => _requests.Enqueue((method, uri, status));

    /// <summary>An HttpClient factory for the AWS SDK whose clients record into this list.</summary>
    public HttpClientFactory AwsFactory() => new RecordingAwsHttpClientFactory(this);

    public DelegatingHandler Handler() => new RecordingHandler(this) { InnerHandler = new SocketsHttpHandler() };

    private sealed class RecordingHandler(RecordedRequests log) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                log.Add(request.Method.Method, request.RequestUri!, response.StatusCode);
                return response;
            }
            catch
            {
                log.Add(request.Method.Method, request.RequestUri!, null);
                throw;
            }
        }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                var response = base.Send(request, cancellationToken);
                log.Add(request.Method.Method, request.RequestUri!, response.StatusCode);
                return response;
            }
            catch
            {
                log.Add(request.Method.Method, request.RequestUri!, null);
                throw;
            }
        }
    }

    private sealed class RecordingAwsHttpClientFactory(RecordedRequests log) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(log.Handler(), disposeHandler: true);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
    }
}
