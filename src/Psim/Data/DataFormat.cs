namespace Psim.Data;

/// <summary>Formats of labelled text files. <see cref="Auto"/> chooses by extension.</summary>
public enum DataFormat
{
    Auto,
    JsonLines,
    Json,
    Tsv,
    Csv,
}

/// <summary>How to read a labelled text file: its format, and for CSV/TSV with a header, which columns hold text and label.</summary>
public sealed record ReadOptions
{
    public DataFormat Format { get; init; } = DataFormat.Auto;

    /// <summary>Text column (CSV header, or JSON field). Null: "sentence", else "text".</summary>
    public string? TextColumn { get; init; }

    /// <summary>Label column (CSV header, or JSON field). Null: "label".</summary>
    public string? LabelColumn { get; init; }

    /// <summary>Labels must be in [0, NumClasses) when set.</summary>
    public int? NumClasses { get; init; }

    /// <summary>Keep rows whose text is empty (as empty inputs) instead of stopping; the released CR files have a few.</summary>
    public bool AllowEmptyText { get; init; }

    public static ReadOptions Default { get; } = new();

    public DataFormat Resolve(string path) =>
        Format != DataFormat.Auto
            ? Format
            : Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".jsonl" or ".ndjson" => DataFormat.JsonLines,
                ".json" => DataFormat.Json,
                ".tsv" or ".txt" => DataFormat.Tsv,
                ".csv" => DataFormat.Csv,
                var ext => throw new PsimException(
                    $"{path}: cannot tell the data format from '{ext}' (use .jsonl, .json, .tsv or .csv, or name the format)"
                ),
            };
}
