using System.Text;
using System.Text.RegularExpressions;

namespace AlchemyTypes.Tests.Docs;

/// <summary>One promise marker found in a document: <c>[P-FILE-03]</c> after the sentence it closes.</summary>
internal sealed record DocumentedPromise(string Id, string Document, int Line, string Text);

/// <summary>Reads the promise markers of README.md, SECURITY.md and docs/*.md (the register itself excepted).</summary>
internal static partial class DocumentedPromises
{
    [GeneratedRegex(@"\[(P-[A-Z]+-[0-9]{2})\]")]
    internal static partial Regex Marker();

    // Anything that looks like an attempt at a marker, to report the malformed ones instead of ignoring them.
    [GeneratedRegex(@"\[P-[^\]\s]*\]")]
    private static partial Regex MarkerLike();

    internal static IEnumerable<string> SourceDocuments(string root)
    {
        yield return "README.md";
        yield return "SECURITY.md";
        var docs = Path.Combine(root, "docs");
        if (Directory.Exists(docs))
        {
            foreach (var file in Directory.GetFiles(docs, "*.md").Order(StringComparer.Ordinal))
            {
                if (!string.Equals(Path.GetFileName(file), "promises.md", StringComparison.Ordinal))
                {
                    yield return "docs/" + Path.GetFileName(file);
                }
            }
        }
    }

    internal static (List<DocumentedPromise> Promises, List<string> Problems) Read(string root)
    {
        var promises = new List<DocumentedPromise>();
        var problems = new List<string>();
        foreach (var document in SourceDocuments(root))
        {
            var lines = File.ReadAllLines(Path.Combine(root, document));
            var inCode = false;
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inCode = !inCode;
                    continue;
                }

                if (inCode)
                {
                    continue;
                }

                foreach (Match like in MarkerLike().Matches(lines[i]))
                {
                    if (!Marker().IsMatch(like.Value))
                    {
                        problems.Add($"{document} line {i + 1}: '{like.Value}' is not a promise id; write [P-AREA-NN] (capital letters, two digits).");
                    }
                }

                foreach (Match marker in Marker().Matches(lines[i]))
                {
                    promises.Add(new DocumentedPromise(marker.Groups[1].Value, document, i + 1, TextBefore(lines, i, marker.Index)));
                }
            }
        }

        return (promises, problems);
    }

    // The promise's text: from the start of its bullet, table row or paragraph (or the previous marker in it) to the marker.
    private static string TextBefore(string[] lines, int line, int column)
    {
        var start = line;
        var isRow = lines[line].TrimStart().StartsWith('|');
        while (!isRow && start > 0 && !StartsBlock(lines[start]) && !string.IsNullOrWhiteSpace(lines[start - 1])
            && !lines[start - 1].TrimStart().StartsWith('|') && !lines[start - 1].TrimStart().StartsWith('#'))
        {
            start--;
        }

        var text = new StringBuilder();
        for (var i = start; i <= line; i++)
        {
            text.Append(i == line ? lines[i][..column] : lines[i]).Append(' ');
        }

        var block = text.ToString();
        var previous = Marker().Matches(block).LastOrDefault();
        if (previous is not null)
        {
            block = block[(previous.Index + previous.Length)..];
        }

        block = block.Trim();
        if (block.StartsWith("- ", StringComparison.Ordinal))
        {
            block = block[2..];
        }

        if (isRow)
        {
            block = string.Join(" / ", block.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        block = Regex.Replace(block, @"\s+", " ").Trim(' ', ';', ',');
        return block.Length <= 160 ? block : block[..157].TrimEnd() + "…";
    }

    private static bool StartsBlock(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith('#') || trimmed.StartsWith('|');
    }
}
