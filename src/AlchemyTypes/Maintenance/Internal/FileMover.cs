using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AlchemyTypes.Files.Internal;
using AlchemyTypes.Keys;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace AlchemyTypes.Maintenance.Internal;

/// <summary>
/// Moves the files of FileObject / FileObjectList columns from one backend to another, a batch of rows at a time: copies
/// each object (verifying size and SHA-256 against the row while the bytes go by) under the same key, or under a new key
/// when the target already holds that key or the outbox names it (an existing object is never adopted); then in one short
/// transaction rewrites each row's JSON only if it is still what was read (optimistic concurrency) and records a
/// <em>hold</em> on each old object (see <see cref="DeleteRecorder.MoveHold"/>): the old object stays for
/// <see cref="FileMoveOptions.SourceRetention"/>, so a writer that loaded the row before the move and writes the old
/// location back still finds it, and reconciliation deletes it afterwards only if no row references it. See docs/moves.md.
/// </summary>
internal sealed class FileMover(DbContext context, FileMoveOptions options, IProgress<FileMaintenanceProgress>? progress)
{
    private const string Operation = "move";
    private readonly ILogger _logger = context.GetService<ILoggerFactory>().CreateLogger("AlchemyTypes.Maintenance");
    private readonly List<FileMoveSkip> _skipped = [];
    private long _rows, _found, _moved, _newKeys, _held, _bytes, _rewritten, _withoutChecksum, _mismatches, _changed, _conflicts, _recorded, _deleted;
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
            "AlchemyTypes move from '{From}' to '{To}': {Rows} rows read, {Found} files found, {Moved} moved ({NewKeys} under a new key, {Bytes} "
                + "bytes copied), {Rewritten} rows rewritten, {Held} old objects held, {Mismatches} checksum mismatches, {Changed} changed during "
                + "the move, {Conflicts} conflicts, {Deleted} of {Recorded} unused copies deleted.",
            options.FromBackend, options.ToBackend, _rows, _found, _moved, _newKeys, _bytes, _rewritten, _held, _mismatches, _changed, _conflicts,
            _deleted, _recorded);
        return new FileMoveReport
        {
            RowsScanned = _rows,
            FilesFound = _found,
            FilesMoved = _moved,
            NewKeys = _newKeys,
            OldObjectsHeld = _held,
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
                // A key the outbox names on the target (a copy whose delete is recorded, an old object on hold) is not used.
                var recorded = await DeleteRecorder.RecordedKeysAsync(
                    context, options.ToBackend, work.SelectMany(w => w.Files).Select(f => f.Key), null, cancellationToken).ConfigureAwait(false);
                foreach (var file in work.SelectMany(w => w.Files).Where(f => recorded.Contains(f.Key)))
                {
                    file.TargetKey = NewKey(file.Key);
                }

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
        var outcome = await CopyToAsync(file, source, target, cancellationToken).ConfigureAwait(false);
        if (outcome is { Copied: null, Kind: SkipKind.Conflict } && file.TargetKey == file.Key)
        {
            // The target holds the key already (a copy left by an interrupted run, the old object of a move the other way):
            // it is never adopted, since nothing proves that no recorded delete or reconciliation is about to remove it.
            file.TargetKey = NewKey(file.Key);
            outcome = await CopyToAsync(file, source, target, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>A fresh key in the library's own shape, ending with the old key's last segment (the file name).</summary>
    private static string NewKey(string key) => FileObject.KeyFor(UuidV7ValueGenerator.NewGuid(null), key[(key.LastIndexOf('/') + 1)..]);

    private async Task<CopyOutcome> CopyToAsync(FileCopy file, IStorageBackend source, IStorageBackend target, CancellationToken cancellationToken)
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
                        file.TargetKey,
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
                    return CopyOutcome.Fail(SkipKind.Conflict, "the target already holds an object under a new key made for this file; run the move again");
                }

                var checksum = "sha256:" + hashing.Sha256Hex;
                if (Matches(file, hashing.BytesRead, checksum) is { } problem)
                {
                    // The copy was made by this call and nothing references it.
                    await target.DeleteAsync(file.TargetKey, new StorageDeleteOptions { IfMatchETag = info.ETag }, CancellationToken.None)
                        .ConfigureAwait(false);
                    return CopyOutcome.Fail(SkipKind.Mismatch, $"the old object does not match its row ({problem}); it was not moved");
                }

                return new CopyOutcome(info, hashing.BytesRead, null, SkipKind.Mismatch);
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
    /// Rewrites the batch's rows, records the holds on the old objects and the deletes of unused copies in one transaction,
    /// then deletes the unused copies. Not cancellable: it is short, and stopping between the rewrite and the record would
    /// need the outbox to finish anyway.
    /// </summary>
    private async Task CommitAsync(FileTable table, List<ColumnWork> work, ISqlGenerationHelper sql)
    {
        var deletes = new List<(string Backend, string Key, string? ETag)>();
        var holds = new List<(string Backend, string Key, string? ETag)>();
        List<PendingStorageDelete> recorded;
        var rewritten = new HashSet<FileRow>();
        long moved = 0, newKeys = 0, bytes = 0, withoutChecksum = 0;
        var heldUntil = (options.TimeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime + options.SourceRetention;
        var transaction = await context.Database.BeginTransactionAsync(CancellationToken.None).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var dbTransaction = transaction.GetDbTransaction();

            // A delete recorded for a copy's key since the keys were checked: that copy may be deleted, so its row is not rewritten.
            var recordedMeanwhile = await DeleteRecorder.RecordedKeysAsync(
                context, options.ToBackend, work.SelectMany(w => w.Files).Where(f => f.Outcome?.Copied is not null).Select(f => f.TargetKey), null,
                CancellationToken.None).ConfigureAwait(false);
            foreach (var w in work)
            {
                var copied = w.Files.Where(f => f.Outcome?.Copied is not null).ToList();
                if (copied.Count == 0)
                {
                    continue;
                }

                if (copied.Any(f => recordedMeanwhile.Contains(f.TargetKey)))
                {
                    foreach (var file in copied)
                    {
                        deletes.Add((options.ToBackend, file.TargetKey, file.Outcome!.Copied!.ETag));
                        Skip(w, file, "a delete of its key on the target was recorded while it was copied; the copy was dropped (run the move again)",
                            SkipKind.Conflict);
                    }

                    continue;
                }

                foreach (var file in copied)
                {
                    var info = file.Outcome!.Copied!;
                    if (file.TargetKey != file.Key)
                    {
                        file.Element["key"] = file.TargetKey;
                        if (file.Element.ContainsKey("path"))
                        {
                            file.Element["path"] = file.TargetKey;
                        }
                    }

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
                        // The old object is held, not deleted: a writer that loaded the row before this commit may write it back.
                        holds.Add((options.FromBackend, file.Key, file.ETag));
                        moved++;
                        newKeys += file.TargetKey != file.Key ? 1 : 0;
                        bytes += file.Outcome!.Bytes;
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
                        if (!stillReferenced.Contains(file.TargetKey))
                        {
                            deletes.Add((options.ToBackend, file.TargetKey, file.Outcome!.Copied!.ETag));
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
            await DeleteRecorder.RecordAsync(context, holds, CancellationToken.None, heldUntil).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _moved += moved;
        _newKeys += newKeys;
        _held += holds.Distinct().Count();
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

    /// <summary>
    /// <c>UPDATE t SET col = new[, token = fresh] WHERE key = … AND col = old</c>: true when the row was still what was read.
    /// Every concurrency token the application sets itself (<c>[ConcurrencyCheck]</c>, <c>IsConcurrencyToken()</c>) gets a
    /// fresh value, so a writer that loaded the row before the move fails with <c>DbUpdateConcurrencyException</c> instead
    /// of writing the old location back; tokens the database maintains (PostgreSQL <c>xmin</c>) change by themselves.
    /// </summary>
    private async Task<bool> UpdateAsync(FileTable table, ColumnWork w, DbTransaction transaction, ISqlGenerationHelper sql)
    {
        using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var column = sql.DelimitIdentifier(w.Column.Column.Name);
        var text = new StringBuilder("UPDATE ").Append(sql.DelimitIdentifier(table.Table.Name, table.Table.Schema))
            .Append(" SET ").Append(column).Append(" = ").Append(Json(command, "nv", w.Node.ToJsonString(), w.Column, sql));
        AppendTokenBumps(text, command, table, sql);
        text.Append(" WHERE ");
        AppendKey(text, command, table, w.Row, sql);
        text.Append(" AND ").Append(column).Append(" = ").Append(Json(command, "ov", w.Json, w.Column, sql));
        command.CommandText = text.ToString();
        return await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false) == 1;
    }

    /// <summary>Appends <c>, token = fresh</c> for each application-set concurrency token of the table that is not a file column.</summary>
    private static void AppendTokenBumps(StringBuilder text, DbCommand command, FileTable table, ISqlGenerationHelper sql)
    {
        var i = 0;
        foreach (var tokenColumn in table.Table.Columns)
        {
            var property = tokenColumn.PropertyMappings.Select(m => m.Property)
                .FirstOrDefault(p => p.IsConcurrencyToken && p.ValueGenerated == Microsoft.EntityFrameworkCore.Metadata.ValueGenerated.Never);
            if (property is null || table.FileColumns.Any(f => f.Column == tokenColumn))
            {
                continue;
            }

            var name = sql.DelimitIdentifier(tokenColumn.Name);
            var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
            object? fresh = type == typeof(Guid) ? Guid.NewGuid()
                : type == typeof(string) ? Guid.NewGuid().ToString("N")
                : type == typeof(byte[]) ? Guid.NewGuid().ToByteArray()
                : null;
            if (fresh is not null)
            {
                var parameter = property.GetRelationalTypeMapping().CreateParameter(command, "tk" + i++, fresh);
                command.Parameters.Add(parameter);
                text.Append(", ").Append(name).Append(" = ").Append(sql.GenerateParameterNamePlaceholder(parameter.ParameterName));
            }
            else if (property.GetTypeMapping().Converter is null && (type == typeof(int) || type == typeof(long) || type == typeof(short)
                || type == typeof(uint) || type == typeof(ulong) || type == typeof(decimal)))
            {
                // A version number: one more (NULL stays NULL, which no loaded value equals).
                text.Append(", ").Append(name).Append(" = ").Append(name).Append(" + 1");
            }
        }
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
        /// <summary>The key of the copy: <see cref="Key"/>, or a new key when the target holds that key or the outbox names it.</summary>
        public string TargetKey { get; set; } = Key;

        public CopyOutcome? Outcome { get; set; }
    }

    /// <summary>A verified copy on the target (<see cref="Copied"/>), or why there is none.</summary>
    private sealed record CopyOutcome(StoredObjectInfo? Copied, long Bytes, string? Problem, SkipKind Kind)
    {
        public static CopyOutcome Fail(SkipKind kind, string problem) => new(null, 0, problem, kind);
    }
}
