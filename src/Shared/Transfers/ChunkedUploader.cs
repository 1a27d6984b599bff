using System.Security.Cryptography;
using AlchemyTypes.Shared.Errors;
using AlchemyTypes.Shared.Integrity;
using AlchemyTypes.Storage;

// MD5 here is the stores' own integrity checksum (S3 ETags, Content-MD5), compared to detect corruption; it protects no secret.
#pragma warning disable CA5351
namespace AlchemyTypes.Shared.Transfers;

/// <summary>
/// The one upload algorithm of the cloud providers. Content of known length up to the single-request threshold goes in one
/// request straight from the caller's stream; other content is read once, part by part, into a few reused buffers. A part
/// holds one of <see cref="ChunkedUploadSettings.MaxConcurrency"/> slots from the moment it is read until the store has it,
/// so at most that many parts are in flight (or being read) and the buffers take <c>PartSize × MaxConcurrency</c> bytes
/// whatever the size. A failure or cancellation stops reading, lets the parts already
/// sent finish (up to the clean-up timeout, so that the clean-up sees every part the store accepted), removes what was sent
/// (retrying while the store is unreachable), and reports the first real cause: the caller's cancellation, the caller's
/// stream, "already exists", or the store's failure as a typed exception. Every request's bytes are hashed (MD5) on the way,
/// without a second read: what is returned lets the backend compare what the store holds with what was sent, and a target
/// that finds a part stored wrong throws <see cref="ChecksumMismatchException"/>, reported as
/// <see cref="StorageIntegrityException"/> once the parts are removed.
/// </summary>
/// <param name="settings">Part size, concurrency, thresholds and clean-up timeout.</param>
/// <param name="errors">The provider's error mapping.</param>
internal sealed class ChunkedUploader(ChunkedUploadSettings settings, StoreErrorMapper errors)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LastRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Uploads <paramref name="content"/> from its current position to its end as the object <paramref name="key"/>.</summary>
    /// <returns>What the store answered, and what was sent (size and MD5s).</returns>
    public async Task<(TResult Result, UploadDigest Sent)> UploadAsync<TResult>(
        IChunkedUploadTarget<TResult> target,
        string key,
        Stream content,
        CancellationToken cancellationToken)
    {
        if (KnownLength(content) is { } known && known <= settings.SingleRequestThreshold)
        {
            // Straight from the caller's stream, hashed as the SDK reads it (it may read twice to sign or retry: hashed once).
            using var hashing = new Md5ReadStream(content);
            var result = await PutSingleAsync(target, key, hashing, known, null, cancellationToken).ConfigureAwait(false);
            return (result, UploadDigest.Single(known, hashing.TryGetDigest(known, out var digest) ? digest : null));
        }

        using var buffers = new PartBufferPool(settings.PartSize);
        var first = buffers.Rent();
        var length = await FillAsync(content, first, cancellationToken).ConfigureAwait(false);
        if (length < settings.PartSize && length <= settings.SingleRequestThreshold)
        {
            var md5 = MD5.HashData(first.AsSpan(0, length));
            using var body = new MemoryStream(first, 0, length, writable: false);
            return (await PutSingleAsync(target, key, body, length, md5, cancellationToken).ConfigureAwait(false), UploadDigest.Single(length, md5));
        }

        return await UploadPartsAsync(target, key, content, buffers, first, length, cancellationToken).ConfigureAwait(false);
    }

    private static long? KnownLength(Stream content)
    {
        try
        {
            return content.CanSeek ? Math.Max(0, content.Length - content.Position) : null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    private async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < settings.PartSize)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, settings.PartSize - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    private async Task<TResult> PutSingleAsync<TResult>(
        IChunkedUploadTarget<TResult> target,
        string key,
        Stream body,
        long length,
        byte[]? md5,
        CancellationToken cancellationToken)
    {
        try
        {
            using var deadline = new RequestDeadline(settings.RequestTimeout, cancellationToken);
            return await target.PutSingleAsync(deadline.Watch(body), length, md5, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (errors.IsExistsConflict(ex))
        {
            throw StorageObjectExistsException.ForKey(key, errors.Store);
        }
        catch (Exception ex) when (errors.IsChecksumRefusal(ex))
        {
            // The store checked the Content-MD5 sent with the request and refused the bytes it received: nothing was stored.
            throw IntegrityFailure.Create(key, errors.Store, length, null, Refused(ex, md5), removed: true, errors.IntegrityHint);
        }
        catch (Exception ex) when (errors.IsServiceFailure(ex, cancellationToken))
        {
            throw errors.Map(ex, "upload", key, cancellationToken);
        }
    }

    private async Task<(TResult Result, UploadDigest Sent)> UploadPartsAsync<TResult>(
        IChunkedUploadTarget<TResult> target,
        string key,
        Stream content,
        PartBufferPool buffers,
        byte[] first,
        int firstLength,
        CancellationToken cancellationToken)
    {
        try
        {
            using var deadline = new RequestDeadline(settings.RequestTimeout, cancellationToken);
            await target.BeginAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (errors.IsServiceFailure(ex, cancellationToken))
        {
            throw errors.Map(ex, target.ChunkedOperation + " start", key, cancellationToken);
        }

        using var failure = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The part requests already sent are not cancelled with the upload: a request cancelled on the client can still be
        // completed by the store afterwards, storing its part after the clean-up. They may finish (up to the clean-up
        // timeout), so that the clean-up sees every part this upload stored.
        using var abandon = new CancellationTokenSource(Timeout.InfiniteTimeSpan, settings.TimeProvider);
        using var slots = new SemaphoreSlim(settings.MaxConcurrency);
        var inFlight = new List<Task>();
        var md5s = new List<byte[]?>();
        var sourceFailed = false;
        long total = 0;
        try
        {
            var buffer = first;
            var length = firstLength;
            await slots.WaitAsync(failure.Token).ConfigureAwait(false); // the first part's slot: its buffer is already full
            for (var partNumber = 1; ; partNumber++)
            {
                total += length;
                md5s.Add(null);
                inFlight.Add(SendPartAsync(target, partNumber, buffer, length, md5s, buffers, slots, failure, settings.RequestTimeout, abandon.Token));
                if (length < settings.PartSize)
                {
                    return await CommitAsync(target, inFlight, partNumber, total, md5s, cancellationToken).ConfigureAwait(false);
                }

                // A slot before a buffer: a part being read holds one too, so buffers never outnumber MaxConcurrency.
                await slots.WaitAsync(failure.Token).ConfigureAwait(false);
                buffer = buffers.Rent();
                try
                {
                    length = await FillAsync(content, buffer, failure.Token).ConfigureAwait(false);
                }
                catch (Exception) when (!failure.IsCancellationRequested)
                {
                    sourceFailed = true; // the caller's stream failed, not the store
                    throw;
                }

                if (length == 0)
                {
                    return await CommitAsync(target, inFlight, partNumber, total, md5s, cancellationToken).ConfigureAwait(false);
                }

                if (partNumber == settings.MaxParts)
                {
                    throw new StorageException(
                        $"The content of '{key}' is larger than {settings.MaxParts:N0} parts of {settings.PartSize} bytes, the store's limit. "
                        + $"Raise {settings.PartSizeOption}.");
                }
            }
        }
        catch (Exception ex)
        {
            await failure.CancelAsync().ConfigureAwait(false);
            abandon.CancelAfter(settings.CleanupTimeout);
            try
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The first failure is the one reported; the others follow from it.
            }

            var cleaned = await CleanUpAsync(target).ConfigureAwait(false);
            var cause = inFlight.Where(t => t.IsFaulted)
                .Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException) ?? ex;
            if (cancellationToken.IsCancellationRequested && cause is OperationCanceledException)
            {
                throw;
            }

            if (sourceFailed && ReferenceEquals(cause, ex) && cleaned)
            {
                throw;
            }

            var leftOver = cleaned ? "" : " " + target.LeftOverMessage;

            // Before the commit no object exists under the key: what may be left are parts, which the left-over message names.
            if (!sourceFailed && cause is ChecksumMismatchException mismatch)
            {
                throw IntegrityFailure.Create(key, errors.Store, total, null, mismatch, removed: true, errors.IntegrityHint + leftOver);
            }

            if (!sourceFailed && errors.IsChecksumRefusal(cause))
            {
                throw IntegrityFailure.Create(key, errors.Store, total, null, Refused(cause, null), removed: true, errors.IntegrityHint + leftOver);
            }

            if (!sourceFailed && errors.IsExistsConflict(cause))
            {
                throw StorageObjectExistsException.ForKey(key, errors.Store);
            }

            if (!sourceFailed && errors.IsServiceFailure(cause, cancellationToken))
            {
                throw errors.MapFailure(cause, target.ChunkedOperation, key, cancellationToken, leftOver);
            }

            if (cleaned && ReferenceEquals(cause, ex))
            {
                throw;
            }

            throw new StorageException($"The upload of '{key}' to {errors.Store} failed: {cause.Message.TrimEnd('.')}.{leftOver}", cause);
        }
    }

    private async Task<(TResult Result, UploadDigest Sent)> CommitAsync<TResult>(
        IChunkedUploadTarget<TResult> target,
        List<Task> inFlight,
        int partCount,
        long total,
        List<byte[]?> md5s,
        CancellationToken cancellationToken)
    {
        await Task.WhenAll(inFlight).ConfigureAwait(false);
        var sent = UploadDigest.Parts(total, [.. md5s.Take(partCount).Select(m => m!)]);
        using var deadline = new RequestDeadline(settings.RequestTimeout, cancellationToken);
        return (await target.CommitAsync(partCount, sent, deadline.Token).ConfigureAwait(false), sent);
    }

    private static ChecksumMismatchException Refused(Exception ex, byte[]? md5)
        => new("the store's own check of the request's Content-MD5", md5 is null ? "the checksum sent" : Convert.ToBase64String(md5),
            $"a different one ({ex.Message.TrimEnd('.')})");

    private static async Task SendPartAsync<TResult>(
        IChunkedUploadTarget<TResult> target,
        int partNumber,
        byte[] buffer,
        int length,
        List<byte[]?> md5s,
        PartBufferPool buffers,
        SemaphoreSlim slots,
        CancellationTokenSource failure,
        TimeSpan requestTimeout,
        CancellationToken abandon)
    {
        try
        {
            var md5 = MD5.HashData(buffer.AsSpan(0, length));
            lock (md5s)
            {
                md5s[partNumber - 1] = md5;
            }

            using var body = new MemoryStream(buffer, 0, length, writable: false);
            using var deadline = new RequestDeadline(requestTimeout, abandon);
            await target.UploadPartAsync(partNumber, deadline.Watch(body), md5, deadline.Token).ConfigureAwait(false);
        }
        catch
        {
            await failure.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            buffers.Return(buffer);
            slots.Release();
        }
    }

    /// <summary>Removes what a failed upload sent, retrying with back-off while the store is unreachable, up to the clean-up timeout.</summary>
    private async Task<bool> CleanUpAsync<TResult>(IChunkedUploadTarget<TResult> target)
    {
        var clock = settings.TimeProvider;
        var started = clock.GetTimestamp();
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                // Not cancellable by the caller on purpose (its token is usually what was cancelled, and the parts must go), but
                // bounded by the request timeout and what is left of the clean-up timeout.
                var left = settings.CleanupTimeout - clock.GetElapsedTime(started);
                var budget = settings.RequestTimeout == Timeout.InfiniteTimeSpan || left < settings.RequestTimeout ? left : settings.RequestTimeout;
                using var deadline = new RequestDeadline(budget > TimeSpan.Zero ? budget : TimeSpan.FromMilliseconds(1), CancellationToken.None);
                return await target.CleanUpAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (errors.IsServiceFailure(ex, CancellationToken.None))
            {
                if (clock.GetElapsedTime(started) + delay > settings.CleanupTimeout)
                {
                    return false;
                }

                await Task.Delay(delay, clock, CancellationToken.None).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetryDelay.Ticks));
            }
        }
    }
}
