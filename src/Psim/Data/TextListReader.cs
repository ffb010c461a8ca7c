using System.Text;
using System.Text.Json;

namespace Psim.Data;

/// <summary>
/// Reads texts to score, labels optional: JSON Lines / JSON arrays (field "sentence" or "text"),
/// CSV (column "sentence" or "text"), TSV (first field), and anything else as one text per
/// non-empty line. Errors name the file and line.
/// </summary>
public static class TextListReader
{
    public static IReadOnlyList<string> Read(string path)
    {
        if (!File.Exists(path))
            throw new PsimException($"{path}: input file not found");
        var ext = Path.GetExtension(path).ToLowerInvariant();
        var texts = ext switch
        {
            ".jsonl" or ".ndjson" => JsonLines(path),
            ".json" => JsonArray(path),
            ".csv" or ".tsv" => Delimited(path),
            _ => Lines(Files.StrictText.ReadLines(path, Files.StrictText.DataMaxBytes)),
        };
        if (texts.Count == 0)
            throw new PsimFormatException($"{path}: no texts");
        return texts;
    }

    public static IReadOnlyList<string> Lines(IEnumerable<string> lines) =>
        lines.Select((l, i) => i == 0 ? l.TrimStart('\uFEFF') : l).Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();

    private static List<string> JsonLines(string path)
    {
        var texts = new List<string>();
        int lineNo = 0;
        foreach (var raw in Files.StrictText.ReadLines(path, Files.StrictText.DataMaxBytes))
        {
            lineNo++;
            var line = raw.TrimStart('\uFEFF').Trim();
            if (line.Length == 0)
                continue;
            try
            {
                using var doc = JsonDocument.Parse(line, Files.Json.Options);
                Files.Json.RequireWellFormedStrings(doc.RootElement, $"{path}:{lineNo}");
                texts.Add(TextOf(doc.RootElement, $"{path}:{lineNo}"));
            }
            catch (JsonException e)
            {
                throw new PsimFormatException($"{path}:{lineNo}: bad JSON: {e.Message}");
            }
        }
        return texts;
    }

    private static List<string> JsonArray(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(Files.StrictText.ReadAll(path, Files.StrictText.DataMaxBytes), Files.Json.Options);
            Files.Json.RequireWellFormedStrings(doc.RootElement, path);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new PsimFormatException($"{path}:1: expected a JSON array");
            return doc.RootElement.EnumerateArray().Select((e, i) => TextOf(e, $"{path}: item {i}")).ToList();
        }
        catch (JsonException e)
        {
            throw new PsimFormatException($"{path}:{(e.LineNumber ?? 0) + 1}: bad JSON: {e.Message}");
        }
    }

    private static string TextOf(JsonElement e, string where)
    {
        if (e.ValueKind == JsonValueKind.String)
            return e.GetString()!;
        if (e.ValueKind != JsonValueKind.Object)
            throw new PsimFormatException($"{where}: expected an object with a \"sentence\" or \"text\" field");
        if (
            (e.TryGetProperty("sentence", out var s) || e.TryGetProperty("text", out s))
            && s.ValueKind == JsonValueKind.String
            && s.GetString()!.Trim().Length > 0
        )
            return s.GetString()!;
        throw new PsimFormatException($"{where}: missing or empty \"sentence\" (or \"text\") field");
    }

    private static List<string> Delimited(string path)
    {
        // labels are optional here: read through the labelled readers' parsing when a label column exists, else take the text column
        try
        {
            return DatasetReader.Read(path).Select(e => e.Text).ToList();
        }
        catch (PsimFormatException) when (Path.GetExtension(path).Equals(".tsv", StringComparison.OrdinalIgnoreCase))
        {
            return Lines(Files.StrictText.ReadLines(path, Files.StrictText.DataMaxBytes)).Select(l => l.Split('\t')[0].Trim()).ToList();
        }
    }
}
