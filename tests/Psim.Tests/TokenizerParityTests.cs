using System.Text.Json;
using Psim.IO;
using Xunit.Abstractions;

namespace Psim.Tests;

/// <summary>
/// psim's WordPiece ids against ../shared/reference/bert-uncased-ids.jsonl: transformers' BertTokenizer
/// ids (an independent port, Python 3.11 Unicode tables) for every row of every shared data file and 22
/// awkward sentences, with the all-MiniLM-L6-v2 vocabulary.
/// </summary>
public class TokenizerParityTests(ITestOutputHelper output)
{
    internal static string ReferencePath()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Psim.sln")))
            dir = Path.GetDirectoryName(dir);
        return Path.GetFullPath(Path.Combine(dir ?? ".", "..", "shared", "reference", "bert-uncased-ids.jsonl"));
    }

    [Fact]
    public void Ids_equal_transformers_on_every_reference_row()
    {
        var path = ReferencePath();
        Assert.True(File.Exists(path), $"{path} is missing: the reference ids ship in ../shared/reference");
        var tokenizer = ModelResolver.Open("minilm").Tokenizer;
        int rows = 0;
        var mismatches = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var text = r.GetProperty("text").GetString()!;
            var expected = r.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var actual = tokenizer.Encode(text);
            rows++;
            if (!actual.SequenceEqual(expected) && mismatches.Count < 20)
                mismatches.Add(
                    $"{r.GetProperty("file").GetString()}:{r.GetProperty("row").GetInt32()}: {text[..Math.Min(80, text.Length)]}\n  expected {string.Join(" ", expected)}\n  psim     {string.Join(" ", actual)}"
                );
        }
        output.WriteLine($"{rows} rows compared");
        Assert.True(rows > 50_000, $"only {rows} reference rows");
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }
}
