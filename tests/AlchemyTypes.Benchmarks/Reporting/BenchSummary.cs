using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AlchemyTypes.Benchmarks.Reporting;

/// <summary>
/// <c>./build.sh bench</c> without a filter: runs the benchmarks behind issue 14's table (and issue 10's recorded-delete
/// benchmark) with short in-process jobs (stated below), runs the resident-memory probe once per backend in a process of
/// its own, and writes one markdown table (ratios to the baseline of the same BenchmarkDotNet run, allocations, peaks) to
/// <c>&lt;out&gt;/summary.md</c> and to the console.
/// Usage: <c>AlchemyTypes.Benchmarks --summary &lt;out dir&gt; &lt;MemoryProbe dll&gt;</c>.
/// </summary>
internal static class BenchSummary
{
    /// <summary>The environment variable naming the folder where benchmarks drop extra figures (peak memory).</summary>
    public const string OutVariable = "ALCHEMYTYPES_BENCH_OUT";

    /// <summary>What every job of the table shares: one process, in-process emit with a 60-minute limit per case.</summary>
    private static readonly Job InProcess = Job.Default.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(60), logOutput: true)).WithLaunchCount(1).Freeze();

    /// <summary>
    /// The job of the table: one process (in-process emit, so nothing is compiled while the machine is loaded), 2 warm-up
    /// and 5 measured iterations; the rows near their goal run in rounds of <see cref="Round"/> instead. The recorded-delete
    /// benchmark runs 100,000 rows per invocation: 2 single-shot iterations.
    /// </summary>
    private static readonly Job Short = InProcess.WithWarmupCount(2).WithIterationCount(5).WithId("short").Freeze();

    /// <summary>
    /// The job of one round of the rows that are run in rounds (<see cref="BenchmarkPick.Rounds"/>): 1 warm-up and 5
    /// measured iterations per case and round.
    /// </summary>
    private static readonly Job Round = InProcess.WithWarmupCount(1).WithIterationCount(5).WithId("round").Freeze();

    private static readonly Job SingleShot = InProcess.WithStrategy(RunStrategy.Monitoring)
        .WithWarmupCount(0).WithIterationCount(2).WithId("single-shot").Freeze();

    private static readonly BenchmarkPick[] Picks =
    [
        new(typeof(PasswordHashBenchmarks), "Argon2id m=19 MiB t=2 p=1, one hash", "≤ 1.10x, no per-hash allocation of the matrix",
            c => c.Descriptor.WorkloadMethod.Name is "Argon2idLibsodiumRaw" or "Argon2idSodiumProvider" or "Argon2idKonsciousProvider") { Job = Round, Rounds = 3 },
        new(typeof(EncryptionBenchmarks), "materialising 100k strings (SQLite, AsNoTracking)", "≤ 1.5x",
            c => c.Descriptor.Categories.Contains("Materialize100k")) { Job = Round, Rounds = 3 },
        new(typeof(FileObjectSaveReadBenchmarks), "save + read one file through FileObject/SaveChanges, local backend, SQLite",
            "≤ 1.10x of the hand-written work", c => Param(c, "Backend") == "local" && c.Descriptor.WorkloadMethod.Name != "BackendDirect") { Job = Round, Rounds = 3 },
        new(typeof(UploadThresholdBenchmarks), "upload of seekable content to S3 (s3rver)", "default ≤ 1.10x of one PutObject",
            c => Param(c, "Store") == "S3" && Param(c, "MiB") is "16" or "64") { Job = Round, Rounds = 3 },
        new(typeof(AttachmentUploadBenchmarks), "a row with 20 attachments of 1 MiB on S3 (s3rver; RoundTripMs: added client-store round trip)",
            "≤ 0.33x (≥ 3x faster than serial); `8 at a time (backend)` is the store's own ceiling",
            c => Param(c, "Store") == "S3"),
        new(typeof(PendingDeleteProcessingBenchmarks), "processing 100,000 recorded deletes (SQLite file, batches of 500)",
            "bounded memory (issue 10)", _ => true) { Job = SingleShot },
    ];

    private static readonly string[] ProbeBackends = ["local", "memory", "s3", "azure"];

    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: AlchemyTypes.Benchmarks --summary <out dir> <AlchemyTypes.MemoryProbe.dll> [probe MiB, default 1024]");
            return 2;
        }

        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var outDir = Path.GetFullPath(args[0]);
        var probe = Path.GetFullPath(args[1]);
        var probeMiB = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1024;
        Directory.CreateDirectory(outDir);
        var peaks = Path.Combine(outDir, "peaks.tsv");
        File.Delete(peaks);
        Environment.SetEnvironmentVariable(OutVariable, outDir);
        var started = DateTimeOffset.UtcNow;

        var probes = probeMiB <= 0 ? [] : ProbeBackends.Select(b => (Backend: b, Line: RunProbe(probe, b, probeMiB))).ToList();

        // The table's own job replaces the jobs the classes declare: each selected case is made again with it (one case per
        // method and parameter set); the classes' diagnosers and grouping rules stay.
        var only = Environment.GetEnvironmentVariable("ALCHEMYTYPES_BENCH_ONLY")?.Split(',', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .WithArtifactsPath(Path.Combine(outDir, "BenchmarkDotNet.Artifacts"))
            .WithOptions(ConfigOptions.DisableLogFile);
        var rows = new List<string>();
        foreach (var pick in Picks.Where(p => only.Length == 0 || only.Any(o => p.Type.Name.Contains(o, StringComparison.OrdinalIgnoreCase))))
        {
            var info = BenchmarkConverter.TypeToBenchmarks(pick.Type, config);
            var cases = info.BenchmarksCases
                .Where(pick.Select)
                .DistinctBy(c => (c.Descriptor, c.Parameters.DisplayInfo))
                .Select(c => BenchmarkCase.Create(c.Descriptor, pick.Job, c.Parameters, c.Config))
                .ToArray();
            try
            {
                rows.AddRange(Rows(pick, Measure(pick, cases, info.Config), peaks));
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                // One class failing (a server that did not start, an in-process timeout) must not lose the other rows.
                rows.Add($"| {pick.Title} | failed: {ex.Message.ReplaceLineEndings(" ")} | - | - | - | {pick.Goal} |");
            }
        }

        var markdown = Compose(started, rows, probes, probeMiB);
        File.WriteAllText(Path.Combine(outDir, "summary.md"), markdown);
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"Written to {Path.Combine(outDir, "summary.md")} in {(DateTimeOffset.UtcNow - started).TotalMinutes:0.0} minutes.");
        return 0;
    }

    /// <summary>
    /// Runs the cases of <paramref name="pick"/>: in one BenchmarkDotNet run, or, for a pick with rounds, each case in a run
    /// of its own, round after round, every other round in reverse order, so that a slow phase of a shared machine falls on
    /// the baseline as often as on the others. The measured iterations of all rounds are pooled per case.
    /// </summary>
    private static List<CaseResult> Measure(BenchmarkPick pick, BenchmarkCase[] cases, ImmutableConfig config)
    {
        if (pick.Rounds <= 1)
        {
            var summary = BenchmarkRunner.Run(new BenchmarkRunInfo(cases, pick.Type, config));
            return [.. summary.Reports.Select(r => new CaseResult(r.BenchmarkCase, Workload(r), r))];
        }

        var pooled = cases.ToDictionary(c => c, _ => new List<double>());
        var last = new Dictionary<BenchmarkCase, BenchmarkReport>();
        for (var round = 0; round < pick.Rounds; round++)
        {
            foreach (var benchmarkCase in round % 2 == 0 ? cases : Enumerable.Reverse(cases))
            {
                var summary = BenchmarkRunner.Run(new BenchmarkRunInfo([benchmarkCase], pick.Type, config));
                foreach (var report in summary.Reports)
                {
                    pooled[benchmarkCase].AddRange(Workload(report));
                    last[benchmarkCase] = report;
                }
            }
        }

        return [.. cases.Where(last.ContainsKey).Select(c => new CaseResult(c, pooled[c], last[c]))];
    }

    /// <summary>The time per operation of each measured iteration of <paramref name="report"/>, in nanoseconds.</summary>
    private static List<double> Workload(BenchmarkReport report)
        => [.. report.AllMeasurements.Where(m => m.Is(IterationMode.Workload, IterationStage.Actual)).Select(m => m.Nanoseconds / m.Operations)];

    private static IEnumerable<string> Rows(BenchmarkPick pick, List<CaseResult> results, string peaks)
    {
        var peakLines = File.Exists(peaks) ? File.ReadAllLines(peaks) : [];
        foreach (var result in results.Where(r => !r.Case.Descriptor.Baseline))
        {
            var benchmarkCase = result.Case;
            // The baseline of a case: the baseline method of the same parameters (and category, where a class has several).
            var baselineResult = results.FirstOrDefault(r => r.Case.Descriptor.Baseline
                && r.Case.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo
                && r.Case.Descriptor.Categories.SequenceEqual(benchmarkCase.Descriptor.Categories));
            var baseline = baselineResult?.Case;
            // Medians: on a shared machine a few iterations stalled by other work move the mean far more than the median.
            var mean = Median(result.Times);
            var baseMean = baselineResult is null ? null : Median(baselineResult.Times);
            var meanRatio = Mean(result.Times) / (baselineResult is null ? null : Mean(baselineResult.Times));
            var ratio = mean is { } m && baseMean is { } b && b > 0
                ? (m / b).ToString("0.00", CultureInfo.InvariantCulture) + "x (means " + meanRatio?.ToString("0.00", CultureInfo.InvariantCulture) + "x)"
                : "failed";
            var parameters = benchmarkCase.Parameters.Count == 0 ? "" : " [" + benchmarkCase.Parameters.PrintInfo + "]";
            var notes = Notes(pick, benchmarkCase, mean, baseline, baseMean, peakLines);
            yield return "| " + string.Join(" | ",
                pick.Title + parameters,
                Name(benchmarkCase) + ": " + Time(mean),
                baseline is null ? "-" : Name(baseline) + ": " + Time(baseMean),
                ratio,
                Allocated(result.Report) + " vs " + (baselineResult is null ? "-" : Allocated(baselineResult.Report)),
                pick.Goal + notes) + " |";
        }
    }

    private static double? Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double? Mean(List<double> values) => values.Count == 0 ? null : values.Average();

    private static string Notes(BenchmarkPick pick, BenchmarkCase benchmarkCase, double? mean, BenchmarkCase? baseline, double? baseMean,
        string[] peakLines)
    {
        if (pick.Type != typeof(PendingDeleteProcessingBenchmarks))
        {
            return "";
        }

        var store = Param(benchmarkCase, "Store");
        string Rate(double? ns) => ns is { } n && n > 0 ? (100_000 / (n / 1e9)).ToString("N0", CultureInfo.InvariantCulture) + " rows/s" : "-";
        string Peak(BenchmarkCase? c) => c is null ? "-" : peakLines
            .Select(l => l.Split('\t'))
            .Where(p => p.Length == 4 && p[0] == store && p[1] == c.Descriptor.WorkloadMethod.Name)
            .Select(p => double.Parse(p[3], CultureInfo.InvariantCulture))
            .DefaultIfEmpty(double.NaN)
            .Max()
            .ToString("0", CultureInfo.InvariantCulture) + " MiB";
        return $"; {Rate(mean)} vs {Rate(baseMean)}; peak working set {Peak(benchmarkCase)} vs {Peak(baseline)}";
    }

    private static string Compose(DateTimeOffset started, List<string> rows, List<(string Backend, string Line)> probes, int probeMiB)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured {started:yyyy-MM-dd HH:mm} UTC on {Machine()}.");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Load average at the end: {LoadAverage()} (on a shared machine the absolute times are inflated; the ratios are side by side in one run).");
        text.AppendLine();
        text.AppendLine("| measure | result (median) | baseline (median) | ratio of medians (of means) | allocated per op (vs baseline) | goal, notes |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(row);
        }

        foreach (var (backend, line) in probes)
        {
            var goal = backend == "memory" ? "holds the data by design" : "< 64 MiB";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| saving a {probeMiB} MiB non-seekable stream, resident memory growth, {backend} (MemoryProbe, own process) | {line} | - | - | - | {goal} |");
        }

        return text.ToString();
    }

    private static string RunProbe(string dll, string backend, int mib)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(backend);
        start.ArgumentList.Add(mib.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Console.WriteLine($"[probe] {backend}: {stdout.Trim()} {stderr.Result.Trim()}");
        var line = stdout.Split('\n').FirstOrDefault(l => l.Contains("growth", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            return $"failed (exit {process.ExitCode}): {stderr.Result.Split('\n')[0]}";
        }

        // "<store>: N MiB non-seekable upload; resident before X MiB, peak Y MiB, growth Z MiB; managed allocated W MiB"
        var growth = line[(line.IndexOf("growth ", StringComparison.Ordinal) + 7)..].Split(';')[0];
        var allocated = line[(line.IndexOf("allocated ", StringComparison.Ordinal) + 10)..].Trim();
        return $"+{growth} (managed allocated {allocated})";
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} cores, "
            + $"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
    }

    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string Param(BenchmarkCase benchmarkCase, string name)
        => benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == name)?.Value?.ToString() ?? "";

    private static string Name(BenchmarkCase benchmarkCase)
        => "`" + (benchmarkCase.Descriptor.WorkloadMethodDisplayInfo ?? benchmarkCase.Descriptor.WorkloadMethod.Name).Trim('\'') + "`";

    private static string Allocated(BenchmarkReport report)
    {
        var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        return bytes switch
        {
            null => "?",
            < 10 * 1024 => bytes.Value.ToString("N0", CultureInfo.InvariantCulture) + " B",
            < 10 * 1024 * 1024 => (bytes.Value / 1024.0).ToString("N1", CultureInfo.InvariantCulture) + " KiB",
            _ => (bytes.Value / 1048576.0).ToString("N1", CultureInfo.InvariantCulture) + " MiB",
        };
    }

    private static string Time(double? nanoseconds) => nanoseconds switch
    {
        null => "failed",
        < 1e3 => nanoseconds.Value.ToString("0.0", CultureInfo.InvariantCulture) + " ns",
        < 1e6 => (nanoseconds.Value / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " µs",
        < 1e9 => (nanoseconds.Value / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        _ => (nanoseconds.Value / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " s",
    };

    private sealed record BenchmarkPick(Type Type, string Title, string Goal, Func<BenchmarkCase, bool> Select)
    {
        public Job Job { get; init; } = Short;

        /// <summary>How many times each case runs, in alternating order, its measurements pooled (1: one run of all cases).</summary>
        public int Rounds { get; init; } = 1;
    }

    /// <summary>A case, the time per operation of each of its measured iterations, and a report of it (for allocations).</summary>
    private sealed record CaseResult(BenchmarkCase Case, List<double> Times, BenchmarkReport Report);
}
