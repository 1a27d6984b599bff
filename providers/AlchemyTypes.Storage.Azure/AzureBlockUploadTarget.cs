using System.Buffers.Binary;
using AlchemyTypes.Shared.Integrity;
using AlchemyTypes.Shared.Transfers;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AlchemyTypes.Storage.Azure;

/// <summary>
/// One blob's upload for the shared <see cref="ChunkedUploader"/>: one Put Blob, or staged blocks committed as a block
/// list; a failed upload of a new blob discards its uncommitted blocks. Every block carries its MD5 as a transactional
/// <c>Content-MD5</c> that the service checks (refusing with <c>Md5Mismatch</c>), and the MD5 the service answers for it is
/// compared too. A Put Blob is checked by the backend against the Content-MD5 the service answers.
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

    public async Task<BlobContentInfo> PutSingleAsync(Stream body, long length, byte[]? md5, CancellationToken cancellationToken)
    {
        var options = new BlobUploadOptions
        {
            HttpHeaders = Headers,
            Metadata = Metadata,
            Conditions = Conditions,
        };
        return (await blob.UploadAsync(body, options, cancellationToken).ConfigureAwait(false)).Value;
    }

    public Task BeginAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task UploadPartAsync(int partNumber, Stream body, byte[] md5, CancellationToken cancellationToken)
    {
        var staged = await blob.StageBlockAsync(BlockId(partNumber), body, new BlockBlobStageBlockOptions { TransferValidation = Validation(md5) },
            cancellationToken).ConfigureAwait(false);
        if (staged.Value.ContentHash is { Length: > 0 } hash && !hash.AsSpan().SequenceEqual(md5))
        {
            throw new ChecksumMismatchException($"The Content-MD5 Azure computed for block {partNumber}", Convert.ToBase64String(md5),
                Convert.ToBase64String(hash));
        }
    }

    public async Task<BlobContentInfo> CommitAsync(int partCount, UploadDigest sent, CancellationToken cancellationToken)
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

    private static UploadTransferValidationOptions? Validation(byte[]? md5)
        => md5 is null ? null : new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5, PrecalculatedChecksum = md5 };

    private string BlockId(int number)
    {
        Span<byte> id = stackalloc byte[20];
        _nonce.TryWriteBytes(id);
        BinaryPrimitives.WriteInt32BigEndian(id[16..], number);
        return Convert.ToBase64String(id);
    }
}
