using System.Globalization;
using System.Text;

namespace Psim.Data;

/// <summary>TSV (<c>text&lt;TAB&gt;label</c>, optional header) and CSV (RFC 4180 quoting, header required) readers.</summary>
internal static class DelimitedReader
{
    public static IReadOnlyList<Example> ReadTsv(string path, ReadOptions o)
    {
        var rows = new List<Example>();
        int lineNo = 0,
            textCol = 0,
            labelCol = 1;
        bool first = true;
        foreach (var raw in Files.StrictText.ReadLines(path, Files.StrictText.DataMaxBytes))
        {
            lineNo++;
            var line = (first ? raw.TrimStart('\uFEFF') : raw).TrimEnd('\r');
            if (line.Trim().Length == 0)
                continue;
            var fields = line.Split('\t').Select(f => f.Trim()).ToArray();
            if (first)
            {
                first = false;
                if (IsHeader(fields, o))
                {
                    (textCol, labelCol) = Columns(fields, o, $"{path}:{lineNo}");
                    continue;
                }
            }
            if (fields.Length <= Math.Max(textCol, labelCol))
                throw new PsimFormatException($"{path}:{lineNo}: expected text<TAB>label, found {fields.Length} field(s)");
            rows.Add(Row(fields[textCol], fields[labelCol], rows.Count, $"{path}:{lineNo}", o));
        }
        return rows;
    }

    public static IReadOnlyList<Example> ReadCsv(string path, ReadOptions o)
    {
        var rows = new List<Example>();
        using var reader = new StringReader(Files.StrictText.ReadAll(path, Files.StrictText.DataMaxBytes));
        int lineNo = 1;
        var header = ReadRecord(reader, ref lineNo, path) ?? throw new PsimFormatException($"{path}:1: empty file");
        var (textCol, labelCol) = Columns(header.Select(h => h.Trim()).ToArray(), o, $"{path}:1");
        while (true)
        {
            int start = lineNo;
            var rec = ReadRecord(reader, ref lineNo, path);
            if (rec is null)
                break;
            if (rec.Count == 1 && rec[0].Length == 0)
                continue;
            if (rec.Count <= Math.Max(textCol, labelCol))
                throw new PsimFormatException($"{path}:{start}: expected {header.Count} fields, found {rec.Count}");
            rows.Add(Row(rec[textCol].Trim(), rec[labelCol].Trim(), rows.Count, $"{path}:{start}", o));
        }
        return rows;
    }

    private static bool IsHeader(string[] fields, ReadOptions o) =>
        fields.Length >= 2
        && !int.TryParse(fields[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        && (o.LabelColumn is null || fields.Contains(o.LabelColumn));

    private static (int Text, int Label) Columns(string[] header, ReadOptions o, string where)
    {
        int Find(string? wanted, params string[] defaults)
        {
            foreach (var name in wanted is null ? defaults : [wanted])
            {
                int i = Array.FindIndex(header, h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
                if (i >= 0)
                    return i;
            }
            throw new PsimFormatException(
                $"{where}: no column named {string.Join(" or ", (wanted is null ? defaults : [wanted]).Select(n => $"\"{n}\""))} in the header ({string.Join(", ", header)})"
            );
        }
        return (Find(o.TextColumn, "sentence", "text"), Find(o.LabelColumn, "label"));
    }

    private static Example Row(string text, string label, int position, string where, ReadOptions o)
    {
        if (!int.TryParse(label, NumberStyles.Integer, CultureInfo.InvariantCulture, out int l))
            throw new PsimFormatException($"{where}: label \"{label}\" is not an integer");
        return DatasetReader.Validate(text, l, position, where, o);
    }

    /// <summary>One CSV record; quoted fields may hold commas, doubled quotes and newlines.</summary>
    private static List<string>? ReadRecord(TextReader r, ref int lineNo, string path)
    {
        if (r.Peek() < 0)
            return null;
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false,
            fieldStart = true;
        int startLine = lineNo;
        while (true)
        {
            int c = r.Read();
            if (c < 0)
            {
                if (quoted)
                    throw new PsimFormatException($"{path}:{startLine}: unterminated quoted field");
                fields.Add(sb.ToString());
                return fields;
            }
            char ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (r.Peek() == '"')
                    {
                        r.Read();
                        sb.Append('"');
                    }
                    else
                        quoted = false;
                }
                else
                {
                    if (ch == '\n')
                        lineNo++;
                    sb.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when fieldStart:
                    quoted = true;
                    fieldStart = false;
                    break;
                case ',':
                    fields.Add(sb.ToString());
                    sb.Clear();
                    fieldStart = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    lineNo++;
                    fields.Add(sb.ToString());
                    return fields;
                default:
                    sb.Append(ch);
                    fieldStart = false;
                    break;
            }
        }
    }
}
