using System.Text;
using System.Text.Json;

namespace Psim.Data;

/// <summary>
/// Reads labelled text files: JSON Lines (<c>.jsonl</c>) and JSON arrays (<c>.json</c>) of
/// <c>{"sentence": ..., "label": ...}</c> objects. A malformed row stops the read with
/// <c>file:line</c> and what was wrong.
/// </summary>
public static class DatasetReader
{
    public static IReadOnlyList<Example> Read(string path, int? numClasses = null)
    {
        if (!File.Exists(path)) throw new PsimException($"{path}: data file not found");
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" => ReadJsonLines(path, numClasses),
            ".json" => ReadJsonArray(path, numClasses),
            var ext => throw new PsimException($"{path}: unknown data format '{ext}' (supported: .jsonl, .json)"),
        };
    }

    private static IReadOnlyList<Example> ReadJsonLines(string path, int? numClasses)
    {
        var rows = new List<Example>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path, Encoding.UTF8))
        {
            lineNo++;
            var line = raw.TrimStart('\uFEFF').Trim();
            if (line.Length == 0) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e) { throw new PsimFormatException($"{path}:{lineNo}: bad JSON: {e.Message}"); }
            using (doc) rows.Add(ToExample(doc.RootElement, $"{path}:{lineNo}", rows.Count, numClasses));
        }
        return rows;
    }

    private static IReadOnlyList<Example> ReadJsonArray(string path, int? numClasses)
    {
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException e) { throw new PsimFormatException($"{path}:{(e.LineNumber ?? 0) + 1}: bad JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new PsimFormatException($"{path}:1: expected a JSON array of objects");
            var rows = new List<Example>();
            foreach (var e in doc.RootElement.EnumerateArray())
                rows.Add(ToExample(e, $"{path} (item {rows.Count})", rows.Count, numClasses));
            return rows;
        }
    }

    private static Example ToExample(JsonElement e, string where, int position, int? numClasses)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new PsimFormatException($"{where}: expected a JSON object");
        if (!e.TryGetProperty("sentence", out var s) && !e.TryGetProperty("text", out s))
            throw new PsimFormatException($"{where}: missing field \"sentence\" (or \"text\")");
        if (s.ValueKind != JsonValueKind.String) throw new PsimFormatException($"{where}: \"sentence\" is not a string");
        var text = s.GetString()!;
        if (string.IsNullOrWhiteSpace(text)) throw new PsimFormatException($"{where}: empty text");
        if (!e.TryGetProperty("label", out var l)) throw new PsimFormatException($"{where}: missing field \"label\"");
        if (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out int label))
            throw new PsimFormatException($"{where}: label {l.GetRawText()} is not an integer");
        if (label < 0 || (numClasses is int k && label >= k))
            throw new PsimFormatException($"{where}: label {label} is out of range{(numClasses is int n ? $" [0, {n - 1}]" : "")}");
        int index = e.TryGetProperty("idx", out var idx) && idx.TryGetInt32(out int i) ? i : position;
        return new Example(text, label, index);
    }
}
