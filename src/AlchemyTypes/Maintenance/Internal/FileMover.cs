using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// Moves the files of FileObject / FileObjectList columns from one backend to another, a batch of rows at a time: copies
/// each object under the same key (verifying size and SHA-256 against the row while the bytes go by), then in one short
/// transaction rewrites each row's JSON only if it is still what was read (optimistic concurrency) and records the delete
/// of the old object (ETag-conditional) in the outbox; after the commit the old objects are deleted. A row always points at
/// an object that exists: the old one until its rewrite commits, the verified copy after. Re-running continues: rows on the
/// target are skipped, and a verified copy left on the target by an interrupted run is used instead of copying again.
/// </summary>
internal sealed class FileMover(DbContext context, FileMoveOptions options, IProgress<FileMaintenanceProgress>? progress)
{
    private const string Operation = "move";
    private readonly ILogger _logger = context.GetService<ILoggerFactory>().CreateLogger("AlchemyTypes.Maintenance");
    private readonly List<FileMoveSkip> _skipped = [];
    private long _rows, _found, _moved, _reused, _bytes, _rewritten, _withoutChecksum, _mismatches, _changed, _conflicts, _recorded, _deleted;
    private readonly List<PendingStorageDeleteFailure> _deleteFailures = [];

    public async Task<FileMoveReport> RunAsync(CancellationToken cancellationToken)
    {
        options.Validate();
        if (context.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("MoveFilesAsync commits a transaction per batch of its own; run it on a context without an open transaction.");
        }

        var registry = MaintenanceRegistry.Of(context);
        var source = registry.Get(options.FromBackend);
        var target = registry.Get(options.ToBackend);
        var tables = FileTable.Discover(context.Model);
        var wanted = options.Properties?.ToHashSet(StringComparer.Ordinal);
        if (wanted is not null)
        {
            var known = tables.SelectMany(t => t.FileColumns).Select(c => c.DisplayName).ToHashSet(StringComparer.Ordinal);
            var unknown = wanted.Where(p => !known.Contains(p)).ToList();
            if (unknown.Count > 0 || wanted.Count == 0)
            {
                throw new ArgumentException(
                    $"FileMoveOptions.Properties names {(unknown.Count == 0 ? "no property" : string.Join(", ", unknown.Select(u => $"'{u}'")))}; "
                        + $"name FileObject or FileObjectList properties as Entity.Property, one of: {string.Join(", ", known.Order(StringComparer.Ordinal))}. "
                        + "Leave Properties null to move every file property.",
                    nameof(options));
            }
        }

        _logger.LogInformation("AlchemyTypes move: moving files from storage backend '{From}' to '{To}'.", options.FromBackend, options.ToBackend);
        var sql = context.GetService<ISqlGenerationHelper>();
        foreach (var table in tables)
        {
            var columns = Enumerable.Range(0, table.FileColumns.Count).Where(i => wanted?.Contains(table.FileColumns[i].DisplayName) ?? true).ToArray();
            if (columns.Length > 0)
            {
                await MoveTableAsync(table, columns, registry, source, target, sql, cancellationToken).ConfigureAwait(false);
            }
        }

        _logger.LogInformation(
            "AlchemyTypes move from '{From}' to '{To}': {Rows} rows read, {Found} files found, {Moved} moved ({Reused} already copied, {Bytes} "
                + "bytes copied), {Rewritten} rows rewritten, {Mismatches} checksum mismatches, {Changed} changed during the move, "
                + "{Conflicts} conflicts, {Deleted} of {Recorded} recorded deletes done.",
            options.FromBackend, options.ToBackend, _rows, _found, _moved, _reused, _bytes, _rewritten, _mismatches, _changed, _conflicts, _deleted, _recorded);
        return new FileMoveReport
        {
            RowsScanned = _rows,
            FilesFound = _found,
            FilesMoved = _moved,
            AlreadyCopied = _reused,
            BytesCopied = _bytes,
            RowsRewritten = _rewritten,
            WithoutChecksum = _withoutChecksum,
            ChecksumMismatches = _mismatches,
            RowsChanged = _changed,
            Conflicts = _conflicts,
            DeletesRecorded = _recorded,
            ObjectsDeleted = _deleted,
            Skipped = _skipped,
            DeleteFailures = _deleteFailures,
        };
    }

    private async Task MoveTableAsync(
        FileTable table, int[] columns, StorageRegistry registry, IStorageBackend source, IStorageBackend target, ISqlGenerationHelper sql,
            CancellationToken cancellationToken)
    {
        object[]? last = null;
        var page = new List<FileRow>(options.BatchSize);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            page.Clear();
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // One page per statement, no transaction: nothing is held open while objects are copied.
                await foreach (var row in table.ReadAsync(context.Database.GetDbConnection(), null, sql, context.Database.ProviderName,
                    options.BatchSize, last, cancellationToken).ConfigureAwait(false))
                {
                    page.Add(row);
                    if (page.Count == options.BatchSize)
                    {
                        break;
                    }
                }
            }
            finally
            {
                await context.Database.CloseConnectionAsync().ConfigureAwait(false);
            }

            _rows += page.Count;
            var work = Plan(table, columns, page, registry);
            if (work.Count > 0)
            {
                await CopyAsync(work, source, target, cancellationToken).ConfigureAwait(false);
                await CommitAsync(table, work, sql).ConfigureAwait(false);
            }

            progress?.Report(new(Operation, "moving", _moved, options.ToBackend));
            _logger.LogDebug("AlchemyTypes move: {Table} batch done, {Moved} files moved so far.", table.DisplayName, _moved);
            if (page.Count < options.BatchSize)
            {
                return;
            }

            last = page[^1].Key;
        }
    }

    /// <summary>The columns of a page that hold files on the source backend, with each such file.</summary>
    private List<ColumnWork> Plan(FileTable table, int[] columns, List<FileRow> page, StorageRegistry registry)
    {
        var work = new List<ColumnWork>();
        foreach (var row in page)
        {
            foreach (var i in columns)
            {
                if (row.Values[i] is not { } json)
                {
                    continue;
                }

                var column = table.FileColumns[i];
                var node = JsonNode.Parse(json);
                var elements = node is JsonArray array ? array.OfType<JsonObject>().ToList() : node is JsonObject single ? [single] : [];
                var files = new List<FileCopy>();
                foreach (var element in elements)
                {
                    var backend = String(element, "backend") ?? column.Backend ?? registry.DefaultName;
                    if (backend != options.FromBackend || (String(element, "key") ?? String(element, "path")) is not { } key)
                    {
                        continue;
                    }

                    long? size = element["size"] is JsonValue s && s.TryGetValue<long>(out var n) ? n : null;
                    files.Add(new FileCopy(element, key, size, String(element, "checksum"), String(element, "etag"),
                        String(element, "content_type"), element["metadata"] as JsonObject));
                }

                if (files.Count > 0)
                {
                    _found += files.Count;
                    work.Add(new ColumnWork(table, column, row, json, node!, files));
                }
            }
        }

        return work;
    }

    private async Task CopyAsync(List<ColumnWork> work, IStorageBackend source, IStorageBackend target, CancellationToken cancellationToken)
    {
        var files = work.SelectMany(w => w.Files.Select(f => (Work: w, File: f))).ToList();
        await Parallel.ForEachAsync(
            files,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrentCopies, CancellationToken = cancellationToken },
            async (item, token) => item.File.Outcome = await CopyOneAsync(item.File, source, target, token).ConfigureAwait(false)).ConfigureAwait(false);
        foreach (var (w, file) in files)
        {
            if (file.Outcome is { Copied: null } outcome)
            {
                Skip(w, file, outcome.Problem!, outcome.Kind);
            }
        }
    }

    private async Task<CopyOutcome> CopyOneAsync(FileCopy file, IStorageBackend source, IStorageBackend target, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await source.OpenReadAsync(file.Key, null, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageObjectNotFoundException)
        {
            return CopyOutcome.Fail(SkipKind.Mismatch, $"the backend '{options.FromBackend}' holds no object with this key");
        }

        await using (stream.ConfigureAwait(false))
        {
            var hashing = new HashingReadStream(stream, file.Size, read => new InvalidDataException($"more than the {file.Size} bytes the row records"));
            await using (hashing.ConfigureAwait(false))
            {
                StoredObjectInfo info;
                try
                {
                    var metadata = file.Metadata?
                        .Select(m => (m.Key, Value: m.Value is JsonValue v && v.TryGetValue<string>(out var t) ? t : m.Value?.ToJsonString()))
                        .Where(m => m.Value is not null)
                        .ToDictionary(m => m.Key, m => m.Value!, StringComparer.Ordinal);
                    info = await target.UploadAsync(
                        file.Key,
                        hashing,
                        new StorageUploadOptions { ContentType = file.ContentType, Metadata = metadata is { Count: > 0 } ? metadata : null },
                        cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException ex)
                {
                    return CopyOutcome.Fail(SkipKind.Mismatch, $"the old object has {ex.Message}; it was not moved");
                }
                catch (StorageObjectExistsException)
                {
                    return await VerifyExistingAsync(file, target, cancellationToken).ConfigureAwait(false);
                }

                var checksum = "sha256:" + hashing.Sha256Hex;
                if (Matches(file, hashing.BytesRead, checksum) is { } problem)
                {
                    // The copy was made by this call and nothing references it.
                    await target.DeleteAsync(file.Key, new StorageDeleteOptions { IfMatchETag = info.ETag }, CancellationToken.None).ConfigureAwait(false);
                    return CopyOutcome.Fail(SkipKind.Mismatch, $"the old object does not match its row ({problem}); it was not moved");
                }

                return new CopyOutcome(info, false, hashing.BytesRead, null, SkipKind.Mismatch);
            }
        }
    }

    /// <summary>The target holds the key already: an interrupted run's copy (used when it verifies) or other content (a conflict).</summary>
    private static async Task<CopyOutcome> VerifyExistingAsync(FileCopy file, IStorageBackend target, CancellationToken cancellationToken)
    {
        StoredObjectInfo info;
        Stream stream;
        try
        {
            info = await target.GetInfoAsync(file.Key, cancellationToken).ConfigureAwait(false);
            stream = await target.OpenReadAsync(file.Key, null, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageObjectNotFoundException)
        {
            return CopyOutcome.Fail(SkipKind.Conflict, "the target object under this key disappeared while it was checked; run the move again");
        }

        await using (stream.ConfigureAwait(false))
        {
            var hashing = new HashingReadStream(stream, null, _ => new InvalidOperationException());
            await using (hashing.ConfigureAwait(false))
            {
                await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                var problem = Matches(file, hashing.BytesRead, "sha256:" + hashing.Sha256Hex);
                return problem is null
                    ? new CopyOutcome(info, true, 0, null, SkipKind.Conflict)
                    : CopyOutcome.Fail(SkipKind.Conflict, $"the target already holds other content under this key ({problem}); it was left alone");
            }
        }
    }

    private static string? Matches(FileCopy file, long size, string checksum)
    {
        if (file.Size is { } expected && expected != size)
        {
            return $"{size} bytes, the row records {expected}";
        }

        return file.Checksum is null || string.Equals(file.Checksum, checksum, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"{checksum}, the row records {file.Checksum}";
    }

    /// <summary>
    /// Rewrites the batch's rows and records the deletes in one transaction, then deletes the recorded objects. Not
    /// cancellable: it is short, and stopping between the rewrite and the record would need the outbox to finish anyway.
    /// </summary>
    private async Task CommitAsync(FileTable table, List<ColumnWork> work, ISqlGenerationHelper sql)
    {
        var deletes = new List<(string Backend, string Key, string? ETag)>();
        List<PendingStorageDelete> recorded;
        var rewritten = new HashSet<FileRow>();
        long moved = 0, reused = 0, bytes = 0, withoutChecksum = 0;
        var transaction = await context.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var dbTransaction = transaction.GetDbTransaction();
            foreach (var w in work)
            {
                var copied = w.Files.Where(f => f.Outcome?.Copied is not null).ToList();
                if (copied.Count == 0)
                {
                    continue;
                }

                foreach (var file in copied)
                {
                    var info = file.Outcome!.Copied!;
                    file.Element["backend"] = options.ToBackend;
                    Set(file.Element, "etag", info.ETag);
                    Set(file.Element, "version_id", info.VersionId);
                    if (info.LastModified is { } modified)
                    {
                        file.Element["last_modified"] = modified.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
                    }
                }

                if (await UpdateAsync(table, w, dbTransaction, sql).ConfigureAwait(false))
                {
                    rewritten.Add(w.Row);
                    foreach (var file in copied)
                    {
                        deletes.Add((options.FromBackend, file.Key, file.ETag));
                        moved++;
                        reused += file.Outcome!.Reused ? 1 : 0;
                        bytes += file.Outcome.Bytes;
                        withoutChecksum += file.Checksum is null ? 1 : 0;
                    }
                }
                else
                {
                    // Changed since it was read (a user replaced the file): keep the user's value, drop the copies nothing references.
                    var current = await CurrentValueAsync(table, w, dbTransaction, sql).ConfigureAwait(false);
                    var stillReferenced = current is null
                        ? []
                        : FileReferenceReader.Parse(current).Where(r => r.Backend == options.ToBackend).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
                    foreach (var file in copied)
                    {
                        if (!stillReferenced.Contains(file.Key))
                        {
                            deletes.Add((options.ToBackend, file.Key, file.Outcome!.Copied!.ETag));
                        }

                        Skip(
                            w,
                            file,
                            "the row changed while its file was copied; the copy was dropped and the row left as the user wrote it (run the move again)",
                            SkipKind.Changed);
                    }
                }
            }

            recorded = await DeleteRecorder.RecordAsync(context, deletes, CancellationToken.None).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _moved += moved;
        _reused += reused;
        _bytes += bytes;
        _withoutChecksum += withoutChecksum;
        _rewritten += rewritten.Count;
        _recorded += recorded.Count;
        if (recorded.Count > 0)
        {
            var (deleted, failures) = await DeleteRecorder.ProcessAsync(context, MaintenanceRegistry.Of(context), recorded, CancellationToken.None)
                .ConfigureAwait(false);
            _deleted += deleted;
            _deleteFailures.AddRange(failures.Take(options.MaxReportedItems - _deleteFailures.Count));
        }
    }

    /// <summary><c>UPDATE t SET col = new WHERE key = … AND col = old</c>: true when the row was still what was read.</summary>
    private async Task<bool> UpdateAsync(FileTable table, ColumnWork w, DbTransaction transaction, ISqlGenerationHelper sql)
    {
        using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var column = sql.DelimitIdentifier(w.Column.Column.Name);
        var text = new StringBuilder("UPDATE ").Append(sql.DelimitIdentifier(table.Table.Name, table.Table.Schema))
            .Append(" SET ").Append(column).Append(" = ").Append(Json(command, "nv", w.Node.ToJsonString(), w.Column, sql))
            .Append(" WHERE ");
        AppendKey(text, command, table, w.Row, sql);
        text.Append(" AND ").Append(column).Append(" = ").Append(Json(command, "ov", w.Json, w.Column, sql));
        command.CommandText = text.ToString();
        return await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 1;
    }

    private static async Task<string?> CurrentValueAsync(FileTable table, ColumnWork w, DbTransaction transaction, ISqlGenerationHelper sql)
    {
        using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var text = new StringBuilder("SELECT ").Append(sql.DelimitIdentifier(w.Column.Column.Name)).Append(" FROM ")
            .Append(sql.DelimitIdentifier(table.Table.Name, table.Table.Schema)).Append(" WHERE ");
        AppendKey(text, command, table, w.Row, sql);
        command.CommandText = text.ToString();
        var value = await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
    }

    private static void AppendKey(StringBuilder text, DbCommand command, FileTable table, FileRow row, ISqlGenerationHelper sql)
    {
        for (var i = 0; i < table.KeyColumns.Count; i++)
        {
            // The key values go back exactly as the database returned them, as the paged read does.
            var parameter = command.CreateParameter();
            parameter.ParameterName = "k" + i;
            parameter.Value = row.Key[i];
            command.Parameters.Add(parameter);
            text.Append(i == 0 ? "" : " AND ").Append(sql.DelimitIdentifier(table.KeyColumns[i].Name)).Append(" = ")
                .Append(sql.GenerateParameterNamePlaceholder(parameter.ParameterName));
        }
    }

    /// <summary>A JSON text parameter, cast to the column's type where the provider will not convert text implicitly (PostgreSQL jsonb).</summary>
    private static string Json(DbCommand command, string name, string value, FileColumn column, ISqlGenerationHelper sql)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        var placeholder = sql.GenerateParameterNamePlaceholder(name);
        return string.Equals(column.Column.StoreType, "jsonb", StringComparison.OrdinalIgnoreCase) ? $"CAST({placeholder} AS jsonb)" : placeholder;
    }

    private void Skip(ColumnWork w, FileCopy file, string reason, SkipKind kind)
    {
        switch (kind)
        {
            case SkipKind.Mismatch:
                _mismatches++;
                break;
            case SkipKind.Conflict:
                _conflicts++;
                break;
            default:
                _changed++;
                break;
        }

        var rowId = FileTable.RowId(w.Row.Key);
        _logger.LogWarning(
            "AlchemyTypes move: '{Key}' ({Table} row {RowId}, {Column}) stays on storage backend '{From}': {Reason}.",
            file.Key, w.Table.DisplayName, rowId, w.Column.DisplayName, options.FromBackend, reason);
        if (_skipped.Count < options.MaxReportedItems)
        {
            _skipped.Add(new FileMoveSkip(w.Table.Entity, w.Table.DisplayName, w.Column.DisplayName, rowId, file.Key, reason));
        }
    }

    private static void Set(JsonObject element, string name, string? value)
    {
        if (value is null)
        {
            element.Remove(name);
        }
        else
        {
            element[name] = value;
        }
    }

    private static string? String(JsonObject element, string name)
        => element[name] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    private enum SkipKind
    {
        Mismatch,
        Conflict,
        Changed,
    }

    private sealed record ColumnWork(FileTable Table, FileColumn Column, FileRow Row, string Json, JsonNode Node, List<FileCopy> Files);

    private sealed record FileCopy(
        JsonObject Element, string Key, long? Size, string? Checksum, string? ETag, string? ContentType, JsonObject? Metadata)
    {
        public CopyOutcome? Outcome { get; set; }
    }

    /// <summary>A verified copy on the target (<see cref="Copied"/>), or why there is none.</summary>
    private sealed record CopyOutcome(StoredObjectInfo? Copied, bool Reused, long Bytes, string? Problem, SkipKind Kind)
    {
        public static CopyOutcome Fail(SkipKind kind, string problem) => new(null, false, 0, problem, kind);
    }
}
