using System.Text.RegularExpressions;
using AlchemyTypes.FunctionalTests.TestUtilities;
using AlchemyTypes.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AlchemyTypes.FunctionalTests.Docs;

/// <summary>
/// Every C# block in README.md, SECURITY.md and docs/*.md compiles ALONE, as pasted, into a fresh project: nothing is
/// injected (no shared variables, no shared types, no usings beyond the template's implicit ones). A block is the
/// Program.cs of a new <c>dotnet new console</c> project, or of <c>dotnet new web</c> when the line before its fence is
/// <c>&lt;!-- project: web --&gt;</c>. A block without top-level statements (types only) is a second file next to the
/// template's own Program.cs. References: the packages (AlchemyTypes and its providers) and their dependencies.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private static readonly Lazy<List<MetadataReference>> SharedReferences = new(() => References().ToList());

    /// <summary>Every C# block of the documents, as (document, line of its fence).</summary>
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var block in ReadBlocks())
        {
            data.Add(block.Document, block.Line);
        }

        return data;
    }

    [Fact]
    public void The_documents_have_csharp_blocks_and_every_block_names_a_known_project_kind()
    {
        var blocks = ReadBlocks();
        Assert.True(blocks.Count >= 20, $"only {blocks.Count} C# blocks found in README.md, SECURITY.md and docs/*.md");
        Assert.Contains(blocks, b => b.Document == "README.md");
        var unknown = blocks.Where(b => b.Kind is not ("console" or "web")).Select(b => $"{b.Document}:{b.Line} '{b.Kind}'").ToList();
        Assert.True(unknown.Count == 0, "blocks with an unknown project kind (use <!-- project: web --> or <!-- project: console -->): " + string.Join(", ", unknown));
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    [Promise("P-DOC-01")]
    public void Every_csharp_block_compiles_alone_into_a_fresh_project(string document, int line)
    {
        var block = ReadBlocks().Single(b => b.Document == document && b.Line == line);
        var errors = Compile(block);
        Assert.True(errors.Count == 0,
            $"{document}, the C# block at line {line} (a fresh `dotnet new {block.Kind}` project) does not compile as pasted:\n"
            + string.Join('\n', errors.Take(30)));
    }

    [Fact]
    public void A_block_that_uses_an_undefined_variable_fails_the_check()
    {
        // The check itself: a block leaning on a variable from elsewhere (as README blocks once did) must not pass.
        var block = new CodeBlock("test", 1, "console", "using Microsoft.Extensions.DependencyInjection;\nservices.AddLogging();\n");
        Assert.Contains(Compile(block), e => e.Contains("services", StringComparison.Ordinal));

        // A console project has no ASP.NET Core implicit usings: WebApplication needs its own using there.
        var web = new CodeBlock("test", 1, "console", "var app = WebApplication.CreateBuilder(args).Build();\napp.Run();\n");
        Assert.NotEmpty(Compile(web));
        Assert.Empty(Compile(web with { Kind = "web" }));
    }

    internal static List<string> Compile(CodeBlock block)
    {
        var trees = new List<SyntaxTree>
        {
            Parse(block.Kind == "web" ? WebImplicitUsings : ConsoleImplicitUsings, $"{block.Kind}.GlobalUsings.g.cs"),
        };
        var code = Parse($"#line {block.Line + 1} \"{block.Document}\"\n{block.Code}", block.Document);
        trees.Add(code);
        if (!((CompilationUnitSyntax)code.GetRoot()).Members.OfType<GlobalStatementSyntax>().Any())
        {
            // Types only: the block is a file added next to the template's Program.cs.
            trees.Add(Parse(block.Kind == "web" ? WebTemplateProgram : ConsoleTemplateProgram, "Program.cs"));
        }

        var compilation = CSharpCompilation.Create(
            "Snippet",
            trees,
            SharedReferences.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(Describe)
            .ToList();
    }

    internal sealed record CodeBlock(string Document, int Line, string Kind, string Code);

    internal static List<CodeBlock> ReadBlocks()
    {
        var root = TestEnvironment.RepositoryRoot;
        var documents = new List<string> { "README.md", "SECURITY.md" };
        documents.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .Select(f => "docs/" + Path.GetFileName(f))
            .Order(StringComparer.Ordinal));
        var blocks = new List<CodeBlock>();
        foreach (var document in documents)
        {
            var lines = File.ReadAllLines(Path.Combine(root, document));
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimEnd() != "```csharp")
                {
                    continue;
                }

                var kind = "console";
                for (var j = i - 1; j >= 0 && j >= i - 2; j--)
                {
                    var marker = ProjectMarker().Match(lines[j]);
                    if (marker.Success)
                    {
                        kind = marker.Groups[1].Value;
                        break;
                    }
                }

                var end = i + 1;
                while (end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal))
                {
                    end++;
                }

                blocks.Add(new CodeBlock(document, i + 1, kind, string.Join('\n', lines[(i + 1)..end]) + "\n"));
                i = end;
            }
        }

        return blocks;
    }

    /// <summary>The implicit usings of Microsoft.NET.Sdk (a new console project).</summary>
    private const string ConsoleImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    /// <summary>The implicit usings of Microsoft.NET.Sdk.Web (a new ASP.NET Core project).</summary>
    private const string WebImplicitUsings = ConsoleImplicitUsings + """

        global using global::System.Net.Http.Json;
        global using global::Microsoft.AspNetCore.Builder;
        global using global::Microsoft.AspNetCore.Hosting;
        global using global::Microsoft.AspNetCore.Http;
        global using global::Microsoft.AspNetCore.Routing;
        global using global::Microsoft.Extensions.Configuration;
        global using global::Microsoft.Extensions.DependencyInjection;
        global using global::Microsoft.Extensions.Hosting;
        global using global::Microsoft.Extensions.Logging;
        """;

    private const string ConsoleTemplateProgram = """
        Console.WriteLine("Hello, World!");
        """;

    private const string WebTemplateProgram = """
        var builder = WebApplication.CreateBuilder(args);
        var app = builder.Build();

        app.MapGet("/", () => "Hello World!");

        app.Run();
        """;

    private static SyntaxTree Parse(string code, string path)
        => CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path);

    /// <summary>
    /// The shared framework (with ASP.NET Core) plus the shipped packages and their dependencies: never the tests, the
    /// sample or the workers, whose types a block must not be able to lean on.
    /// </summary>
    private static IEnumerable<MetadataReference> References()
    {
        string[] notPackages = ["AlchemyTypes.FunctionalTests", "AlchemyTypes.Sample", "AlchemyTypes.Testing", "AlchemyTypes.CrashWorker",
            "AlchemyTypes.TestWorker", "xunit", "CsCheck", "Microsoft.Playwright", "testhost", "Microsoft.TestPlatform",
            "Microsoft.VisualStudio", "Microsoft.CodeAnalysis"];
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(local)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .Where(p => !notPackages.Any(n => Path.GetFileName(p).StartsWith(n, StringComparison.OrdinalIgnoreCase)))
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    private static string Describe(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        return $"{span.Path}, line {span.StartLinePosition.Line + 1}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    [GeneratedRegex(@"^\s*<!--\s*project:\s*(\S+)\s*-->\s*$")]
    private static partial Regex ProjectMarker();
}
