using System.Globalization;
using System.Net;
using System.Text;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;

namespace AlchemyTypes.Storage.Azure;

/// <summary>
/// Sends Blob Batch delete requests (<c>POST {container}?restype=container&amp;comp=batch</c>, a multipart/mixed body of up
/// to 256 DELETE sub-requests) through the container client's own HTTP pipeline, so they carry its credentials, retries
/// and diagnostics. Each sub-request is signed by the client's authentication policy, as the service requires.
/// </summary>
internal sealed class BlobBatchDeleter : IDisposable
{
    /// <summary>The REST version sent with batches: the first that takes container-scoped batches is 2020-04-08.</summary>
    internal const string ServiceVersion = "2021-12-02";

    private readonly BlobContainerClient _container;
    private readonly HttpPipeline _pipeline;
    private readonly HttpPipeline _signer;
    private readonly HttpClient _signingClient;

    public BlobBatchDeleter(BlobContainerClient container)
    {
        _container = container;
        var service = container.GetParentBlobServiceClient();
        _pipeline = PipelineAccess.Pipeline(service);
        var authentication = PipelineAccess.Authentication(service);

        // A pipeline that only authenticates: its transport answers locally and never touches the network, so the signed
        // headers of each sub-request can be read off the message and written into the batch body.
#pragma warning disable CA2000 // Disposed with _signingClient.
        _signingClient = new HttpClient(new LocalAnswerHandler(), disposeHandler: true);
#pragma warning restore CA2000
        _signer = new HttpPipeline(new HttpClientTransport(_signingClient), authentication is null ? [] : [authentication]);
    }

    /// <summary>The outcome of one batch: per key, null when deleted (or missing), else why not.</summary>
    /// <param name="keys">Up to 256 keys.</param>
    /// <param name="blobNames">The blob names of the keys (prefix applied), same order.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The reason per key, or null when the whole batch was refused (then <see cref="BatchRefusedException"/> explains).</returns>
    public async Task<Dictionary<string, string?>> DeleteAsync(IReadOnlyList<string> keys, IReadOnlyList<string> blobNames, CancellationToken cancellationToken)
    {
        var boundary = "batch_" + Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
        var body = new StringBuilder();
        for (var i = 0; i < blobNames.Count; i++)
        {
            var blobUri = _container.GetBlobClient(blobNames[i]).Uri;
            using var signing = _signer.CreateMessage();
            signing.Request.Method = RequestMethod.Delete;
            signing.Request.Uri.Reset(blobUri);
            await _signer.SendAsync(signing, cancellationToken).ConfigureAwait(false);

            body.Append("--").Append(boundary).Append("\r\n")
                .Append("Content-Type: application/http\r\n")
                .Append("Content-Transfer-Encoding: binary\r\n")
                .Append("Content-ID: ").Append(i.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n")
                .Append("DELETE ").Append(signing.Request.Uri.ToUri().PathAndQuery).Append(" HTTP/1.1\r\n");
            foreach (var header in signing.Request.Headers)
            {
                if (header.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase) || header.Name.Equals("Authorization",
                    StringComparison.OrdinalIgnoreCase))
                {
                    body.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
                }
            }

            body.Append("Content-Length: 0\r\n\r\n");
        }

        body.Append("--").Append(boundary).Append("--\r\n");

        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(_container.Uri);
        request.Uri.AppendQuery("restype", "container");
        request.Uri.AppendQuery("comp", "batch");
        request.Headers.SetValue("x-ms-version", ServiceVersion);
        request.Headers.SetValue("Content-Type", "multipart/mixed; boundary=" + boundary);
        request.Content = RequestContent.Create(Encoding.UTF8.GetBytes(body.ToString()));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);

        var response = message.Response;
        if (response.Status != (int)HttpStatusCode.Accepted)
        {
            throw new BatchRefusedException(response.Status, response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : null,
                response.ReasonPhrase);
        }

        if (!response.Headers.ContentType?.Contains("boundary=", StringComparison.OrdinalIgnoreCase) ?? true)
        {
            throw new BatchRefusedException(response.Status, null, "the batch response is not multipart");
        }

        var responseBoundary = response.Headers.ContentType!.Split("boundary=", 2)[1].Trim().Trim('"');
        var text = response.Content.ToString();
        var outcome = keys.ToDictionary(k => k, _ => (string?)"the batch response has no answer for this key", StringComparer.Ordinal);
        foreach (var part in text.Split("--" + responseBoundary, StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = part.Split("\r\n");
            int? id = null;
            int? status = null;
            string? reason = null;
            string? errorCode = null;
            foreach (var line in lines)
            {
                if (line.StartsWith("Content-ID:", StringComparison.OrdinalIgnoreCase) && int.TryParse(line.AsSpan(11).Trim(),
                    NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                {
                    id = parsed;
                }
                else if (line.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && status is null)
                {
                    var pieces = line.Split(' ', 3);
                    status = int.Parse(pieces[1], CultureInfo.InvariantCulture);
                    reason = pieces.Length > 2 ? pieces[2] : null;
                }
                else if (line.StartsWith("x-ms-error-code:", StringComparison.OrdinalIgnoreCase))
                {
                    errorCode = line[16..].Trim();
                }
            }

            if (id is not { } index || status is not { } code || index < 0 || index >= keys.Count)
            {
                continue;
            }

            outcome[keys[index]] = code is 202 or 200 or 204 || (code == 404 && errorCode is null or "BlobNotFound")
                ? null
                : $"{code} {errorCode ?? reason}";
        }

        return outcome;
    }

    public void Dispose()
    {
        _signingClient.Dispose();
    }

    /// <summary>The service refused the whole batch (not per key).</summary>
    internal sealed class BatchRefusedException(int status, string? errorCode, string? reason)
        : Exception($"The Blob Batch request was refused: {status} {errorCode ?? reason}.")
    {
        public int Status { get; } = status;

        public string? ErrorCode { get; } = errorCode;
    }

    /// <summary>Reaches the client's pipeline and authentication policy, which Azure.Storage.Blobs exposes to subclasses for exactly this.</summary>
    private sealed class PipelineAccess : BlobServiceClient
    {
        private PipelineAccess()
        {
        }

        public static HttpPipeline Pipeline(BlobServiceClient client) => GetHttpPipeline(client);

        public static HttpPipelinePolicy? Authentication(BlobServiceClient client) => GetAuthenticationPolicy(client);
    }

    /// <summary>Answers every request locally with 202: used only to let the authentication policy sign sub-requests.</summary>
    private sealed class LocalAnswerHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(Send(request, cancellationToken));

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
            => new(HttpStatusCode.Accepted) { RequestMessage = request };
    }
}
