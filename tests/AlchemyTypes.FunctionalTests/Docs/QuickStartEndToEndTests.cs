using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Xunit.Abstractions;

namespace AlchemyTypes.FunctionalTests.Docs;

/// <summary>
/// README's quick start, run as a newcomer runs it: in a new folder outside the repository, the README's nuget.config
/// (its placeholder path replaced by this clone's), the README's shell commands verbatim (<c>dotnet new console</c>, the
/// <c>dotnet add package</c> lines), the README's Program.cs, <c>dotnet run</c>, and the output the README shows. The
/// packages come from artifacts/packages, as <c>./build.sh pack</c> leaves them (<c>./build.sh test</c> packs them before the
/// tests run; when the folder has no package of the current version, this test runs <c>./build.sh pack</c> itself); every
/// other package comes from the machine's configured feeds.
/// </summary>
public sealed partial class QuickStartEndToEndTests(ITestOutputHelper output)
{
    private const string PlaceholderClone = "/path/to/alchemytypes";

    [Fact]
    [Promise("P-DOC-02")]
    [Promise("P-DOC-03")]
    public async Task The_README_quick_start_runs_as_written_from_the_packed_packages()
    {
        var root = TestEnvironment.RepositoryRoot;
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var nugetConfig = Block(readme, "nuget.config");
        var commands = Block(readme, "commands");
        var program = Block(readme, "program");
        var expected = Block(readme, "output").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"{PlaceholderClone}/artifacts/packages", nugetConfig, StringComparison.Ordinal);
        Assert.Contains("./build.sh pack", Block(readme, "pack"), StringComparison.Ordinal);

        var version = Regex.Match(await File.ReadAllTextAsync(Path.Combine(root, "Directory.Build.props")), "<Version>(.*)</Version>").Groups[1].Value;
        Assert.DoesNotContain('-', version);   // stable: `dotnet add package` takes it without --prerelease
        var packages = Path.Combine(root, "artifacts", "packages");
        if (!File.Exists(Path.Combine(packages, $"AlchemyTypes.{version}.nupkg")))
        {
            await RunAsync(root, "bash", ["./build.sh", "pack"], TimeSpan.FromMinutes(15));
        }

        var work = Path.Combine(Path.GetTempPath(), "alchemytypes-quickstart-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            // The README says: a nuget.config in the project's folder or any folder above it.
            await File.WriteAllTextAsync(Path.Combine(work, "nuget.config"), nugetConfig.Replace(PlaceholderClone, root, StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(work, "quickstart.sh"), commands);
            await RunAsync(work, "bash", ["-euo", "pipefail", "quickstart.sh"], TimeSpan.FromMinutes(5));

            var project = Assert.Single(Directory.GetFiles(work, "*.csproj", SearchOption.AllDirectories));
            var projectXml = await File.ReadAllTextAsync(project);
            Assert.Matches($"<PackageReference Include=\"AlchemyTypes\" Version=\"{Regex.Escape(version)}\"", projectXml);
            Assert.Matches("<PackageReference Include=\"Microsoft.EntityFrameworkCore.Sqlite\" Version=\"10\\.0\\.", projectXml);

            var folder = Path.GetDirectoryName(project)!;
            await File.WriteAllTextAsync(Path.Combine(folder, "Program.cs"), program);
            var printed = await RunAsync(folder, "dotnet", ["run"], TimeSpan.FromMinutes(5));

            var lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
            Assert.True(lines.Length >= expected.Length && lines[^expected.Length..].SequenceEqual(expected),
                $"README's quick start printed:\n{printed}\nbut README.md says it prints:\n{string.Join('\n', expected)}");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void A_README_without_the_marked_quick_start_blocks_is_reported()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Block("# nothing here\n", "program"));
        Assert.Contains("<!-- quickstart: program -->", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The fenced block right after <c>&lt;!-- quickstart: name --&gt;</c> in README.md.</summary>
    private static string Block(string readme, string name)
    {
        var match = Regex.Match(readme.ReplaceLineEndings("\n"), $@"<!-- quickstart: {Regex.Escape(name)} -->\n```[a-z]*\n(.*?)\n```", RegexOptions.Singleline);
        return match.Success
            ? match.Groups[1].Value + "\n"
            : throw new InvalidOperationException($"README.md has no code block after <!-- quickstart: {name} -->; the quick start test runs those blocks.");
    }

    /// <summary>Runs a process to completion, its output in the test log; a failure or a timeout fails the test with it.</summary>
    private async Task<string> RunAsync(string directory, string file, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A newcomer's shell: none of the MSBuild or test-host settings of the process running this test.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k.StartsWith("DOTNET_HOST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (text) { text.AppendLine(e.Data); } } };
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', arguments)}' in {directory} took more than {timeout}:\n{text}");
        }

        process.WaitForExit();   // the last output lines
        string result;
        lock (text)
        {
            result = text.ToString();
        }

        output.WriteLine($"$ {file} {string.Join(' ', arguments)}   ({stopwatch.Elapsed.TotalSeconds:F0} s, exit {process.ExitCode})\n{result}");
        Assert.True(process.ExitCode == 0, $"'{file} {string.Join(' ', arguments)}' in {directory} failed (exit {process.ExitCode}):\n{result}");
        return result;
    }
}
