using System.Text;
using System.Text.Json;

namespace Psim.Data;

/// <summary>
/// Reads labelled text files: JSON Lines and JSON arrays of <c>{"sentence": ..., "label": ...}</c>
/// objects, TSV (<c>text&lt;TAB&gt;label</c>, with or without a header) and CSV with named columns.
/// A malformed row stops the read with <c>file:line</c> and what was wrong. A UTF-8 BOM is fine.
/// </summary>
public static class DatasetReader
{
    public static IReadOnlyList<Example> Read(string path, ReadOptions? options = null)
    {
        options ??= ReadOptions.Default;
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new PsimException($"{path}: data file not found");
        var rows = options.Resolve(path) switch
        {
            DataFormat.JsonLines => ReadJsonLines(path, options),
            DataFormat.Json => ReadJsonArray(path, options),
            DataFormat.Tsv => DelimitedReader.ReadTsv(path, options),
            DataFormat.Csv => DelimitedReader.ReadCsv(path, options),
            _ => throw new InvalidOperationException(),
        };
        if (rows.Count == 0)
            throw new PsimFormatException($"{path}: no rows");
        return rows;
    }

    private static IReadOnlyList<Example> ReadJsonLines(string path, ReadOptions o)
    {
        var rows = new List<Example>();
        int lineNo = 0;
        foreach (var raw in Files.StrictText.ReadLines(path, Files.StrictText.DataMaxBytes))
        {
            lineNo++;
            var line = raw.TrimStart('\uFEFF').Trim();
            if (line.Length == 0)
                continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line, Files.Json.Options);
            }
            catch (JsonException e)
            {
                throw new PsimFormatException($"{path}:{lineNo}: bad JSON: {e.Message}");
            }
            using (doc)
            {
                Files.Json.RequireWellFormedStrings(doc.RootElement, $"{path}:{lineNo}");
                rows.Add(ToExample(doc.RootElement, $"{path}:{lineNo}", rows.Count, o));
            }
        }
        return rows;
    }

    private static IReadOnlyList<Example> ReadJsonArray(string path, ReadOptions o)
    {
        var text = Files.StrictText.ReadAll(path, Files.StrictText.DataMaxBytes);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, Files.Json.Options);
        }
        catch (JsonException e)
        {
            throw new PsimFormatException($"{path}:{(e.LineNumber ?? 0) + 1}: bad JSON: {e.Message}");
        }
        using (doc)
        {
            Files.Json.RequireWellFormedStrings(doc.RootElement, path);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
                throw new PsimFormatException($"{path}:1: expected a JSON array of objects");
            var rows = new List<Example>();
            foreach (var e in doc.RootElement.EnumerateArray())
                rows.Add(ToExample(e, $"{path}: item {rows.Count}", rows.Count, o));
            return rows;
        }
    }

    private static Example ToExample(JsonElement e, string where, int position, ReadOptions o)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw new PsimFormatException($"{where}: expected a JSON object");
        JsonElement s;
        string textField;
        if (o.TextColumn is { } tc)
        {
            textField = tc;
            if (!e.TryGetProperty(tc, out s))
                throw new PsimFormatException($"{where}: missing field \"{tc}\"");
        }
        else if (e.TryGetProperty("sentence", out s))
            textField = "sentence";
        else if (e.TryGetProperty("text", out s))
            textField = "text";
        else
            throw new PsimFormatException($"{where}: missing field \"sentence\" (or \"text\")");
        if (s.ValueKind != JsonValueKind.String)
            throw new PsimFormatException($"{where}: \"{textField}\" is not a string");
        string labelField = o.LabelColumn ?? "label";
        if (!e.TryGetProperty(labelField, out var l))
            throw new PsimFormatException($"{where}: missing field \"{labelField}\"");
        if (l.ValueKind != JsonValueKind.Number || !l.TryGetInt32(out int label))
            throw new PsimFormatException($"{where}: label {l.GetRawText()} is not an integer");
        int index = position;
        if (e.TryGetProperty("idx", out var idx))
        {
            if (idx.ValueKind != JsonValueKind.Number || !idx.TryGetInt32(out index))
                throw new PsimFormatException($"{where}: \"idx\" {idx.GetRawText()} is not an integer");
        }
        return Validate(s.GetString()!, label, index, where, o);
    }

    internal static Example Validate(string text, int label, int index, string where, ReadOptions o)
    {
        if (string.IsNullOrWhiteSpace(text) && !o.AllowEmptyText)
            throw new PsimFormatException(
                $"{where}: empty text (to keep such rows as empty inputs, as the reference does with the released CR files: --allow-empty-text, or allow_empty_text in a study config)"
            );
        if (label < 0 || (o.NumClasses is int k && label >= k))
            throw new PsimFormatException(
                $"{where}: label {label} is out of range{(o.NumClasses is int n ? $" [0, {n - 1}]" : " (labels are 0, 1, ...)")}"
            );
        return new Example(text, label, index);
    }
}
