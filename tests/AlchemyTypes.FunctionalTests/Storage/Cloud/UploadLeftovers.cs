using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace AlchemyTypes.FunctionalTests.Storage.Cloud;

/// <summary>What an interrupted large upload may leave on the store besides the object itself, checked against the recorded requests.</summary>
internal static class UploadLeftovers
{
    /// <summary>
    /// Checks that no multipart upload of <paramref name="key"/> is left. Where the store lists incomplete uploads (S3,
    /// MinIO), the list must not have it. s3rver implements neither ListMultipartUploads (501) nor
    /// AbortMultipartUpload (405): there the check is that the backend did send the abort for the upload it started,
    /// that the abort reached the running server, and that the error names the upload id left behind.
    /// </summary>
    public static async Task AssertNoIncompleteS3UploadAsync(IAmazonS3 client, string bucket, RecordedRequests log, string key, string? errorMessage)
    {
        var initiated = log.All.Any(r => r.Method == "POST" && r.Uri.AbsolutePath.EndsWith(key,
            StringComparison.Ordinal) && r.Uri.Query.Contains("uploads", StringComparison.Ordinal));
        Assert.True(initiated, "the test must exercise a multipart upload");
        var abort = log.All.LastOrDefault(r => r.Method == "DELETE" && r.Uri.AbsolutePath.EndsWith(key,
            StringComparison.Ordinal) && r.Uri.Query.Contains("uploadId=", StringComparison.Ordinal));
        Assert.True(abort.Uri is not null, "the backend must abort the multipart upload");
        Assert.NotNull(abort.Status);

        try
        {
            var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = key });
            Assert.Empty(uploads.MultipartUploads ?? []);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NotImplemented")
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, abort.Status);
            if (errorMessage is not null)
            {
                var uploadId = System.Web.HttpUtility.ParseQueryString(abort.Uri.Query)["uploadId"];
                Assert.Contains(uploadId!, errorMessage, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Checks that blocks were staged for <paramref name="name"/> and that none is left, committed or not.</summary>
    public static async Task AssertNoAzureBlocksAsync(BlobContainerClient container, RecordedRequests log, string name)
    {
        var staged = log.All.Count(r => r.Method == "PUT" && r.Uri.AbsolutePath.EndsWith(name,
            StringComparison.Ordinal) && r.Uri.Query.Contains("comp=block&", StringComparison.Ordinal) && r.Status == HttpStatusCode.Created);
        Assert.True(staged > 0, "the test must stage blocks before the failure");

        // Get Block List answers for a blob that has only uncommitted blocks; 404 means there is nothing at all.
        var blob = container.GetBlockBlobClient(name);
        try
        {
            BlockList list = await blob.GetBlockListAsync(BlockListTypes.All);
            Assert.Empty(list.UncommittedBlocks);
            Assert.Empty(list.CommittedBlocks);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            Assert.Equal(BlobErrorCode.BlobNotFound.ToString(), ex.ErrorCode);
        }
    }
}
