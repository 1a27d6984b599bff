using System.Buffers.Binary;
using AlchemyTypes.Shared.Transfers;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AlchemyTypes.Storage.Azure;

/// <summary>
/// One blob's upload for the shared <see cref="ChunkedUploader"/>: one Put Blob, or staged blocks committed as a block
/// list; a failed upload of a new blob discards its uncommitted blocks.
/// </summary>
internal sealed class AzureBlockUploadTarget(BlockBlobClient blob, AzureBlobStorageOptions settings, StorageUploadOptions upload)
    : IChunkedUploadTarget<BlobContentInfo>
{
    // Block ids must all have the same length: a per-upload nonce and the block number, base64-encoded.
    private readonly Guid _nonce = Guid.NewGuid();

    public BlobHttpHeaders Headers { get; } = new() { ContentType = upload.ContentType ?? "application/octet-stream" };

    public Dictionary<string, string>? Metadata { get; } =
        upload.Metadata is null ? null : new Dictionary<string, string>(upload.Metadata, StringComparer.Ordinal);

    public string ChunkedOperation => "block upload";

    public string LeftOverMessage
        => $"Its uncommitted blocks could not be discarded within {settings.CleanupTimeout.TotalSeconds:0} s; Azure discards them after 7 days.";

    // If-None-Match: * on the write itself, so that a blob created concurrently is never replaced.
    private BlobRequestConditions? Conditions => upload.Overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All };

    public async Task<BlobContentInfo> PutSingleAsync(Stream body, long length, CancellationToken cancellationToken)
        => (await blob.UploadAsync(body, new BlobUploadOptions { HttpHeaders = Headers, Metadata = Metadata, Conditions = Conditions }, cancellationToken)
            .ConfigureAwait(false)).Value;

    public Task BeginAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task UploadPartAsync(int partNumber, Stream body, CancellationToken cancellationToken)
        => blob.StageBlockAsync(BlockId(partNumber), body, new BlockBlobStageBlockOptions(), cancellationToken);

    public async Task<BlobContentInfo> CommitAsync(int partCount, CancellationToken cancellationToken)
    {
        var blockIds = Enumerable.Range(1, partCount).Select(BlockId).ToList();
        var commit = new CommitBlockListOptions { HttpHeaders = Headers, Metadata = Metadata, Conditions = Conditions };
        return (await blob.CommitBlockListAsync(blockIds, commit, cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <summary>
    /// A blob this upload was creating: commit an empty block list (which drops every uncommitted block) and delete the
    /// empty blob, guarded by its ETag. A blob that existed before (an overwrite) keeps its content; its uncommitted blocks
    /// go with its next commit, or after 7 days.
    /// </summary>
    public async Task<bool> CleanUpAsync(CancellationToken cancellationToken)
    {
        if (upload.Overwrite)
        {
            return true;
        }

        try
        {
            var empty = new CommitBlockListOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } };
            var committed = await blob.CommitBlockListAsync([], empty, cancellationToken).ConfigureAwait(false);
            var guard = new BlobRequestConditions { IfMatch = committed.Value.ETag };
            await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, guard, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412 || (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists.ToString()))
        {
            return true; // someone else committed the blob meanwhile: its commit dropped our blocks
        }
        catch (RequestFailedException ex) when (ex.Status is > 0 and < 500)
        {
            return false; // refused for good; retrying cannot help
        }
    }

    private string BlockId(int number)
    {
        Span<byte> id = stackalloc byte[20];
        _nonce.TryWriteBytes(id);
        BinaryPrimitives.WriteInt32BigEndian(id[16..], number);
        return Convert.ToBase64String(id);
    }
}
