using System.Text;
using System.Text.RegularExpressions;
using AlchemyTypes.FunctionalTests.TestUtilities;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AlchemyTypes.FunctionalTests.Docs;

/// <summary>
/// Every C# block in README.md compiles, against the real packages. A block that declares types is compiled as a file; a
/// block of statements is compiled as the body of an async method whose free variables (services, db, upload…) are
/// declared once in <see cref="Ambient"/>. Both kinds share one namespace, so statement blocks use the README's types.
/// </summary>
public sealed partial class ReadmeSnippetTests
{
    private const string Ambient = """
        namespace ReadmeSnippets;

        public abstract class Ambient
        {
            protected static Microsoft.Extensions.DependencyInjection.IServiceCollection services = null!;
            protected static Microsoft.AspNetCore.Builder.WebApplicationBuilder builder = null!;
            protected static Microsoft.AspNetCore.Builder.WebApplication app = null!;
            protected static Microsoft.EntityFrameworkCore.DbContextOptionsBuilder o = null!;
            protected static Microsoft.AspNetCore.Http.IFormFile upload = null!;
            protected static System.IServiceProvider serviceProvider = null!;
            protected static Microsoft.Extensions.Configuration.IConfiguration secrets = null!;
            protected static System.Threading.CancellationToken cancellationToken;
            protected static string connectionString = "", accessKey = "", secretKey = "", email = "", input = "";
            protected static byte[] bytes = [], newKey = [];
        }
        """;

    [Fact]
    public void Every_csharp_block_in_the_README_compiles()
    {
        var readme = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "README.md"));
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        Assert.True(blocks.Count >= 15, $"only {blocks.Count} C# blocks found in README.md");

        var trees = new List<SyntaxTree> { Parse(Ambient, "Ambient.cs") };
        for (var i = 0; i < blocks.Count; i++)
        {
            trees.Add(Parse(Wrap(blocks[i], i), $"ReadmeBlock{i + 1}.cs"));
        }

        var compilation = CSharpCompilation.Create(
            "ReadmeSnippets",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "README.md code does not compile:\n" + string.Join('\n', errors.Take(30).Select(Describe)));
    }

    private static string Wrap(string block, int index)
    {
        var usings = new StringBuilder();
        var body = new StringBuilder();
        foreach (var line in block.Split('\n'))
        {
            (line.StartsWith("using ", StringComparison.Ordinal) && line.TrimEnd().EndsWith(';') ? usings : body).AppendLine(line);
        }

        var declares = Declaration().IsMatch(body.ToString());
        return $"""
            {GlobalUsings}
            {usings}
            namespace ReadmeSnippets;
            #line 1 "README block {index + 1}"
            {(declares ? body.ToString() : $"public sealed class Block{index + 1} : Ambient {{ public static async System.Threading.Tasks.Task Run() {{\n{body}\nawait System.Threading.Tasks.Task.CompletedTask; }} }}")}
            """;
    }

    /// <summary>
    /// Exactly the implicit usings of a new ASP.NET Core project (Microsoft.NET.Sdk.Web, which includes those of
    /// Microsoft.NET.Sdk): a README block must bring every other using it needs itself.
    /// </summary>
    private const string GlobalUsings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Linq;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;
        using Microsoft.AspNetCore.Builder;
        using Microsoft.AspNetCore.Hosting;
        using Microsoft.AspNetCore.Http;
        using Microsoft.AspNetCore.Routing;
        using Microsoft.Extensions.Configuration;
        using Microsoft.Extensions.DependencyInjection;
        using Microsoft.Extensions.Hosting;
        using Microsoft.Extensions.Logging;
        """;

    private static SyntaxTree Parse(string code, string path)
        => CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview), path);

    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.GetFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(local)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First())
            .Where(p => !Path.GetFileName(p).StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    private static string Describe(Diagnostic d)
    {
        var span = d.Location.GetMappedLineSpan();
        return $"{span.Path}, line {span.StartLinePosition.Line + 1}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    [GeneratedRegex(@"^```csharp\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"^(public |internal )?((sealed|abstract|static|partial) )*(class|record|interface|enum|struct) \w", RegexOptions.Multiline)]
    private static partial Regex Declaration();
}
