using Psim.Data;
using Psim.IO;
using Psim.Text;

namespace Psim.Workflows;

/// <summary>What <c>psim data stats</c> does: profiles of data files side by side (length, template, degeneration, markup, fluency).</summary>
public sealed record DataStatsRequest
{
    /// <summary>The files to profile (.jsonl, .json, .tsv, .csv).</summary>
    public required IReadOnlyList<string> Files { get; init; }
    public ReadOptions Reading { get; init; } = ReadOptions.Default;

    /// <summary>The checkpoint whose tokenizer counts words and WordPiece tokens ('minilm' or a Hugging Face folder).</summary>
    public string Model { get; init; } = MiniLmDefault.Name;

    /// <summary>Tokens per input, [CLS] and [SEP] included: the share of rows longer than this is reported.</summary>
    public int MaxLength { get; init; } = Defaults.MaxLength;

    /// <summary>A clean corpus whose n-gram language model measures every file's fluency (perplexity, unknown words); none: not measured.</summary>
    public string? Reference { get; init; }
    public int NgramOrder { get; init; } = 3;

    /// <summary>Profile only the rows whose text differs from this file's row of the same idx (or whose idx it lacks): what a released poisoning set changed.</summary>
    public string? ChangedFrom { get; init; }
}

public static class DataStatsWorkflow
{
    public static IReadOnlyList<TextProfile> Run(DataStatsRequest r, Action<string> log)
    {
        if (r.Files.Count == 0)
            throw new PsimException("give at least one data file to profile");
        if (r.MaxLength < 3)
            throw new PsimException($"--max-length {r.MaxLength}: must be at least 3 ([CLS], a token, [SEP])");
        var tokenizer = ModelResolver.Open(r.Model, log).Tokenizer;
        KneserNeyLanguageModel? lm = null;
        if (r.Reference is string reference)
        {
            var texts = DatasetReader.Read(reference, r.Reading).Select(e => string.Join(' ', tokenizer.Words(e.Text))).ToList();
            log($"fluency: {r.NgramOrder}-gram Kneser-Ney model of {texts.Count} rows of {reference}");
            lm = new KneserNeyLanguageModel(texts, r.NgramOrder);
        }
        var original = r.ChangedFrom is string from ? OriginalTexts(from, r.Reading) : null;
        return r
            .Files.Select(f =>
            {
                var rows = DatasetReader.Read(f, r.Reading);
                if (original is not null)
                {
                    rows = rows.Where(e => !original.TryGetValue(e.Index, out var text) || text != e.Text).ToList();
                    if (rows.Count == 0)
                        throw new PsimException($"{f}: no row differs from {r.ChangedFrom} (rows are matched by idx)");
                }
                return TextProfiler.Profile(f, rows, tokenizer, r.MaxLength, lm);
            })
            .ToList();
    }

    private static Dictionary<int, string> OriginalTexts(string file, ReadOptions reading)
    {
        var texts = new Dictionary<int, string>();
        foreach (var e in DatasetReader.Read(file, reading))
            if (!texts.TryAdd(e.Index, e.Text))
                throw new PsimFormatException($"{file}: idx {e.Index} appears twice, so rows cannot be matched by idx");
        return texts;
    }
}
