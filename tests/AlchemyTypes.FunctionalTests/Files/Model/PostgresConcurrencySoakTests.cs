using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Storage;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// 8 contexts run random mixed operations on PostgreSQL and local storage at the same time while 2 separate processes
/// (tests/AlchemyTypes.TestWorker) run ProcessPendingStorageDeletesAsync in a loop on the same database and folder. Then:
/// every file a committed row references is intact (size, SHA-256); every object the workers deleted was released by a
/// committed change (no object deleted by mistake, whether once or by both workers); no recorded delete is left; no object
/// is left that no row references. CI runs 8 × 60 operations; ALCHEMYTYPES_SOAK=minutes runs 8 × 1,000.
/// The seed is printed; ALCHEMYTYPES_SOAK_SEED=n repeats the clients' choices (the interleaving is the scheduler's).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConcurrencySoakTests(PostgresServerFixture server, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Contexts = 8;
    private readonly string _root = TestEnvironment.CreateTempDirectory("alchemytypes-soak");
    private readonly ConcurrentDictionary<string, string> _checksums = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _released = new(StringComparer.Ordinal);
    private string _connection = "";

    public async Task InitializeAsync() => _connection = await server.CreateDatabaseAsync("soak");

    public async Task DisposeAsync()
    {
        await server.DropDatabaseAsync(_connection);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Eight_contexts_and_two_delete_processes_lose_nothing_and_delete_only_released_objects()
    {
        var operations = ModelBudget.SoakMinutes is null ? 60 : 1000;
        var seed = TestEnvironment.Get("ALCHEMYTYPES_SOAK_SEED") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"seed {seed} (ALCHEMYTYPES_SOAK_SEED={seed} repeats the clients' choices), {Contexts} contexts x {operations} operations");
        var storage = new LocalFileSystemStorageBackend(_root);
        var options = new DbContextOptionsBuilder<ModelContext>();
        options.UseNpgsql(_connection).ForTests();
        options.AddAlchemyTypes(a => a.AddStorage("files", storage));
        await using (var context = new ModelContext(options.Options))
        {
            await context.Database.EnsureCreatedAsync();
        }

        var stop = Path.Combine(_root, "..", $"soak-stop-{Guid.NewGuid():N}");
        var logs = new[] { Path.GetTempFileName(), Path.GetTempFileName() };
        var workers = logs.Select(log => StartWorker(_connection, _root, log, stop)).ToList();
        try
        {
            var clients = Enumerable.Range(0, Contexts)
                .Select(i => Task.Run(() => RunClientAsync(i, new Random(seed + i), operations, options.Options)))
                .ToArray();
            await Task.WhenAll(clients);
        }
        finally
        {
            await File.WriteAllTextAsync(stop, "stop");
        }

        foreach (var (worker, text) in workers)
        {
            if (!worker.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                worker.Kill();
                Assert.Fail("a delete worker did not stop within 3 minutes of the stop file");
            }

            Assert.True(worker.ExitCode == 0, $"delete worker failed (exit {worker.ExitCode}): {text}");
            output.WriteLine(text.ToString().Trim());
        }

        File.Delete(stop);
        var deletedByWorker = logs.Select(l => File.ReadAllLines(l).ToHashSet(StringComparer.Ordinal)).ToArray();
        foreach (var log in logs)
        {
            File.Delete(log);
        }

        await using var check = new ModelContext(options.Options);
        Assert.Equal(0, await check.Set<PendingStorageDelete>().CountAsync());
        var docs = await check.Docs.AsNoTracking().ToListAsync();
        var committed = docs.SelectMany(d => new[] { d.Main, d.Extra }.Concat(d.Attachments)).OfType<FileObject>().ToList();
        var problems = new List<string>();
        foreach (var file in committed)
        {
            if (!await storage.ExistsAsync(file.Key))
            {
                problems.Add($"LOST: committed file '{file.Key}' ({file.FileName}) is missing from storage");
                continue;
            }

            var bytes = await file.GetBytesAsync();
            var checksum = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (file.Checksum != checksum || !_checksums.TryGetValue(file.Key, out var created) || created != checksum)
            {
                problems.Add($"CORRUPT: committed file '{file.Key}' holds {bytes.Length} bytes {checksum}, the row says {file.Size} {file.Checksum}");
            }
        }

        var referenced = committed.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
        var both = deletedByWorker[0].Intersect(deletedByWorker[1]).ToList();
        foreach (var key in deletedByWorker.SelectMany(k => k).Distinct())
        {
            if (referenced.Contains(key) || !_released.ContainsKey(key))
            {
                var alsoReferenced = referenced.Contains(key) ? " and a committed row references" : "";
                problems.Add($"DELETED BY MISTAKE: a worker deleted '{key}', which no committed change released{alsoReferenced}");
            }
        }

        foreach (var key in _checksums.Keys)
        {
            if (!referenced.Contains(key) && await storage.ExistsAsync(key))
            {
                var why = _released.TryGetValue(key, out var reason) ? reason : "never committed";
                problems.Add($"LEAKED: object '{key}' is stored but no committed row references it ({why})");
            }
        }

        output.WriteLine($"{docs.Count} documents, {committed.Count} committed files, {_released.Count} released, "
            + $"workers deleted {deletedByWorker[0].Count} + {deletedByWorker[1].Count} keys ({both.Count} by both: harmless double work on released keys)");
        Assert.True(problems.Count == 0, $"seed {seed}:{Environment.NewLine}{string.Join(Environment.NewLine, problems.Take(50))}");
    }

    private static (Process Process, System.Text.StringBuilder Output) StartWorker(string connection, string root, string log, string stop)
    {
        var folder = AppContext.BaseDirectory.Replace("AlchemyTypes.FunctionalTests", "AlchemyTypes.TestWorker", StringComparison.Ordinal);
        var dll = Path.Combine(folder, "AlchemyTypes.TestWorker.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"The delete worker {dll} is not built: dotnet build tests/AlchemyTypes.TestWorker -c <same configuration as the tests>.");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, connection, root, log, stop })
        {
            start.ArgumentList.Add(argument);
        }

        var text = new System.Text.StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, text);
    }

    private FileObject NewFile(Random random, string name, List<string> created)
    {
        var bytes = new byte[1 + random.Next(2000)];
        random.NextBytes(bytes);
        var file = FileObject.FromBytes(bytes, name + ".bin");
        _checksums[file.Key] = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        created.Add(file.Key);
        return file;
    }

    /// <summary>One client: its own folder and documents, one context, mixed operations; a save's released keys are recorded once it commits.</summary>
    private async Task RunClientAsync(int client, Random random, int operations, DbContextOptions<ModelContext> options)
    {
        var counter = 0;
        await using var context = new ModelContext(options);
        var folder = new ModelFolder { Name = $"C{client}" };
        context.Add(folder);
        await context.SaveChangesAsync();
        for (var op = 0; op < operations; op++)
        {
            var docs = await context.Docs.Where(d => d.FolderId == folder.Id).OrderBy(d => d.Id).ToListAsync();
            var doc = docs.Count == 0 ? null : docs[random.Next(docs.Count)];
            var before = docs.SelectMany(d => new[] { d.Main, d.Extra }.Concat(d.Attachments)).OfType<FileObject>()
                .Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
            var inTransaction = random.Next(6) == 0;
            await using var transaction = inTransaction ? await context.Database.BeginTransactionAsync() : null;
            var name = $"C{client}-{++counter}";
            var created = new List<string>();
            switch (doc is null ? 0 : random.Next(8))
            {
                case 0:
                    context.Add(new ModelDoc
                    {
                        Name = name, FolderId = folder.Id, Main = NewFile(random, name, created), Attachments = [NewFile(random, name + "a", created)],
                    });
                    break;
                case 1:
                    doc!.Main = NewFile(random, name, created);
                    break;
                case 2:
                    doc!.Main = null;
                    break;
                case 3:
                    doc!.Attachments.Add(NewFile(random, name, created));
                    break;
                case 4 when doc!.Attachments.Count > 0:
                    doc.Attachments.RemoveAt(random.Next(doc.Attachments.Count));
                    break;
                case 5:
                    context.Remove(doc!);
                    break;
                case 6 when docs.Count > 1 && doc!.Main is not null:
                    var target = docs.First(d => d != doc);
                    target.Attachments.Add(doc.Main);
                    doc.Main = null;
                    break;
                default:
                    doc!.Extra = NewFile(random, name, created);
                    break;
            }

            await context.SaveChangesAsync();
            var commit = transaction is null || random.Next(4) != 0;
            if (transaction is not null)
            {
                if (commit)
                {
                    await transaction.CommitAsync();
                }
                else
                {
                    await transaction.RollbackAsync();
                    foreach (var key in created)
                    {
                        _released[key] = $"uploaded by {name} in a rolled-back transaction";
                    }
                }
            }

            context.ChangeTracker.Clear();
            if (commit)
            {
                var after = (await context.Docs.AsNoTracking().Where(d => d.FolderId == folder.Id).ToListAsync())
                    .SelectMany(d => new[] { d.Main, d.Extra }.Concat(d.Attachments)).OfType<FileObject>().Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
                foreach (var key in before.Where(k => !after.Contains(k)))
                {
                    _released[key] = $"released by {name}";
                }
            }
        }
    }
}
