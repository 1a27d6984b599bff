using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs.Models;

namespace AlchemyTypes.Storage.Azure;

/// <summary>Listing with <c>List Blobs</c> (<c>GetBlobsAsync</c>), a page of up to 5,000 names a request, in name order.</summary>
public sealed partial class AzureBlobStorageBackend
{
    /// <inheritdoc />
    public bool CanList => true;

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="StorageListOptions.StartAfter"/> is applied by skipping names up to it (List Blobs' own start marker
    /// needs a service version that not every Azure-compatible store has).
    /// </remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListAsync(StorageListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StorageListOptions();
        options.Validate();
        return ListCoreAsync(options, cancellationToken);
    }

    private async IAsyncEnumerable<StoredObjectInfo> ListCoreAsync(StorageListOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = _prefix + (options.Prefix ?? "");
        var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix }, cancellationToken)
            .AsPages(pageSizeHint: options.PageSize);
        var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                Page<BlobItem> page;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    page = enumerator.Current;
                }
                catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
                {
                    throw _errors.MapFailure(ex, "listing", prefix ?? "", cancellationToken);
                }

                foreach (var item in page.Values)
                {
                    if (!item.Name.StartsWith(_prefix, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var key = item.Name[_prefix.Length..];
                    if (!StorageKey.IsValid(key) || (options.StartAfter is not null && StorageKey.Order.Compare(key, options.StartAfter) <= 0))
                    {
                        continue;
                    }

                    yield return new StoredObjectInfo
                    {
                        Key = key,
                        Size = item.Properties.ContentLength ?? 0,
                        ETag = item.Properties.ETag?.ToString(),
                        LastModified = item.Properties.LastModified,
                    };
                }
            }
        }
    }
}
