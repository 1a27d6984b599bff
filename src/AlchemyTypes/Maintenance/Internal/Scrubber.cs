using AlchemyTypes.Diagnostics.Internal;
using System.Security.Cryptography;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>Re-reads stored objects and compares their size and SHA-256 with what the rows recorded.</summary>
internal sealed class Scrubber(DbContext context, FileScrubOptions options, IProgress<FileMaintenanceProgress>? progress)
{
    private const string Operation = "scrub";
    private readonly ILogger _logger = context.GetService<ILoggerFactory>().CreateLogger("AlchemyTypes.Maintenance");

    public async Task<FileScrubReport> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        var registry = MaintenanceRegistry.Of(context);
        var names = (options.Backends ?? registry.Names).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            registry.Get(name); // an unknown name is a typed error before any work
        }

        var random = options.Seed is { } seed ? new Random(seed) : new Random();
        var clock = options.TimeProvider ?? TimeProvider.System;
        var started = clock.GetTimestamp();
        var mismatches = new List<FileScrubMismatch>();
        long seen = 0, verified = 0, bytes = 0, mismatchCount = 0, withoutChecksum = 0;
        var sql = context.GetService<ISqlGenerationHelper>();
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = context.Database.GetDbConnection();
            foreach (var table in FileTable.Discover(context.Model))
            {
                // Rows are read a page at a time, each page in its own statement: no long transaction while objects are read.
                var page = new List<FileRow>(options.BatchSize);
                object[]? last = null;
                while (true)
                {
                    page.Clear();
                    await foreach (var row in table.ReadAsync(connection, null, sql, context.Database.ProviderName, options.BatchSize, last,
                        cancellationToken).ConfigureAwait(false))
                    {
                        page.Add(row);
                        if (page.Count == options.BatchSize)
                        {
                            break;
                        }
                    }

                    foreach (var row in page)
                    {
                        foreach (var reference in FileReferenceReader.References(table, row, registry))
                        {
                            if (!names.Contains(reference.Backend) || !registry.TryGet(reference.Backend, out var storage))
                            {
                                continue;
                            }

                            seen++;
                            if (options.SampleRate < 1 && random.NextDouble() >= options.SampleRate)
                            {
                                continue;
                            }

                            var (size, checksum) = await ReadAsync(reference.Backend, storage, reference.Key, cancellationToken).ConfigureAwait(false);
                            verified++;
                            bytes += size ?? 0;
                            withoutChecksum += reference.Checksum is null ? 1 : 0;
                            var sizeMatches = reference.Size is null || reference.Size == size;
                            var checksumMatches = reference.Checksum is null || string.Equals(reference.Checksum, checksum, StringComparison.OrdinalIgnoreCase);
                            if (size is null || !sizeMatches || !checksumMatches)
                            {
                                mismatchCount++;
                                _logger.LogWarning(
                                    "AlchemyTypes scrub: '{Key}' in storage backend '{Backend}' ({Table} row {RowId}, {Column}) does not "
                                        + "match its row: size {Actual} (recorded {Expected}), {ActualChecksum} (recorded {ExpectedChecksum}).",
                                    reference.Key, reference.Backend, reference.Table, reference.RowId, reference.Column,
                                        size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing",
                                    reference.Size, checksum ?? "missing", reference.Checksum);
                                if (mismatches.Count < options.MaxReportedItems)
                                {
                                    mismatches.Add(new FileScrubMismatch(
                                        reference.Entity, reference.Table, reference.Column, reference.RowId, reference.Backend,
                                            reference.Key, reference.Size, size, reference.Checksum, checksum));
                                }
                            }

                            if (options.MaxBytesPerSecond is { } rate)
                            {
                                // Never run ahead of the budget: wait until the bytes read so far fit in the elapsed time.
                                var due = TimeSpan.FromSeconds((double)bytes / rate) - clock.GetElapsedTime(started);
                                if (due > TimeSpan.Zero)
                                {
                                    await Task.Delay(due, clock, cancellationToken).ConfigureAwait(false);
                                }
                            }
                        }
                    }

                    progress?.Report(new(Operation, "verifying", verified, null));
                    if (page.Count < options.BatchSize)
                    {
                        break;
                    }

                    last = page[^1].Key;
                }
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        _logger.LogInformation(
            "AlchemyTypes scrub: {Verified} of {Seen} files re-read ({Bytes} bytes), {Mismatches} mismatches.", verified, seen, bytes, mismatchCount);
        return new FileScrubReport
        {
            FilesSeen = seen,
            FilesVerified = verified,
            BytesRead = bytes,
            MismatchCount = mismatchCount,
            WithoutChecksum = withoutChecksum,
            Mismatches = mismatches,
        };
    }

    private static async Task<(long? Size, string? Checksum)> ReadAsync(
        string backend, IStorageBackend storage, string key, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await TracedStorage.OpenReadAsync(backend, storage, key, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageObjectNotFoundException)
        {
            return (null, null);
        }

        await using (stream.ConfigureAwait(false))
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
            try
            {
                long size = 0;
                int read;
                while ((read = await stream.ReadAsync(buffer.AsMemory(0, 81920), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    size += read;
                }

                return (size, "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset()));
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
