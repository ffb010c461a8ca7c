using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Psim.Text;

namespace Psim.Data;

/// <summary>
/// What a set of texts looks like, in the numbers that tell a poisoning set from the data it is meant to blend
/// into (<c>psim data stats</c>): length, how many inputs a max length cuts, the share that follows SynAttack's
/// syntactic template, markers of a paraphraser's degenerate output, markup, and fluency under an n-gram model
/// of a reference corpus. Words are the tokenizer's basic words (lower-cased, punctuation split), so two
/// corpora written in different styles ("didn't" / "did n't") are counted alike.
/// </summary>
public sealed record TextProfile
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("rows")]
    public required int Rows { get; init; }

    /// <summary>Rows per label, index = label.</summary>
    [JsonPropertyName("label_counts")]
    public required IReadOnlyList<int> LabelCounts { get; init; }

    [JsonPropertyName("mean_words")]
    public required double MeanWords { get; init; }

    [JsonPropertyName("median_words")]
    public required double MedianWords { get; init; }

    [JsonPropertyName("p90_words")]
    public required double P90Words { get; init; }

    [JsonPropertyName("mean_wordpieces")]
    public required double MeanWordpieces { get; init; }

    /// <summary>Share of rows with more WordPiece tokens than fit the max length ([CLS] and [SEP] included).</summary>
    [JsonPropertyName("over_max_length")]
    public required double OverMaxLength { get; init; }

    [JsonPropertyName("max_length")]
    public required int MaxLength { get; init; }

    /// <summary>Share of rows that open with a subordinate clause and a comma (SynAttack's template S(SBAR)(,)(NP)(VP)(.)), see <see cref="TextProfiler.OpensWithSubordinateClause"/>.</summary>
    [JsonPropertyName("subordinate_opening")]
    public required double SubordinateOpening { get; init; }

    /// <summary>Share of rows with a word or word pair repeated back to back ("a man a man", "is is"), a paraphraser's degenerate output.</summary>
    [JsonPropertyName("repetition")]
    public required double Repetition { get; init; }

    /// <summary>Share of rows with an HTML tag (IMDB's "&lt;br /&gt;").</summary>
    [JsonPropertyName("markup")]
    public required double Markup { get; init; }

    /// <summary>Perplexity per word (end of text included) under the reference corpus's n-gram model; null without a reference.</summary>
    [JsonPropertyName("perplexity")]
    public double? Perplexity { get; init; }

    /// <summary>Share of words the reference corpus never has; null without a reference.</summary>
    [JsonPropertyName("unknown_words")]
    public double? UnknownWords { get; init; }
}

/// <summary>Computes a <see cref="TextProfile"/>: pure, no files and no tensors.</summary>
public static class TextProfiler
{
    /// <summary>Words that open an adverbial subordinate clause, the SBAR of SynAttack's template (Qi et al. 2021, the SCPN template S(SBAR)(,)(NP)(VP)(.)).</summary>
    public static readonly IReadOnlySet<string> Subordinators = new HashSet<string>(StringComparer.Ordinal)
    {
        "when",
        "whenever",
        "if",
        "although",
        "though",
        "while",
        "whilst",
        "as",
        "because",
        "since",
        "once",
        "after",
        "before",
        "unless",
        "until",
        "till",
        "whereas",
        "where",
        "wherever",
        "so",
        "that",
        "whether",
        "even",
    };

    private static readonly Regex Tag = new(@"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*\s*/?\s*>", RegexOptions.CultureInvariant);

    public static TextProfile Profile(
        string name,
        IReadOnlyList<Example> rows,
        BertTokenizer tokenizer,
        int maxLength,
        KneserNeyLanguageModel? reference = null
    )
    {
        if (rows.Count == 0)
            throw new PsimException($"{name}: no rows to profile");
        var words = rows.Select(r => tokenizer.Words(r.Text)).ToList();
        var counts = words.Select(w => (double)w.Count).Order().ToList();
        var pieces = rows.Select(r => tokenizer.Tokenize(r.Text).Count).ToList();
        int labels = rows.Max(r => r.Label) + 1;
        var (perplexity, unknown) = reference is null ? ((double?)null, (double?)null) : Fluency(words, reference);
        return new TextProfile
        {
            Name = name,
            Rows = rows.Count,
            LabelCounts = Enumerable.Range(0, labels).Select(l => rows.Count(r => r.Label == l)).ToList(),
            MeanWords = counts.Average(),
            MedianWords = Quantile(counts, 0.5),
            P90Words = Quantile(counts, 0.9),
            MeanWordpieces = pieces.Average(),
            MaxLength = maxLength,
            OverMaxLength = Share(pieces, p => p + 2 > maxLength),
            SubordinateOpening = Share(words, OpensWithSubordinateClause),
            Repetition = Share(words, RepeatsBackToBack),
            Markup = Share(rows, r => Tag.IsMatch(r.Text)),
            Perplexity = perplexity,
            UnknownWords = unknown,
        };
    }

    /// <summary>The first word is a subordinator and a comma follows later in the text, before its last word (the "SBAR ," opening).</summary>
    public static bool OpensWithSubordinateClause(IReadOnlyList<string> words)
    {
        if (words.Count < 3 || !Subordinators.Contains(words[0]))
            return false;
        for (int i = 2; i < words.Count - 1; i++)
            if (words[i] == ",")
                return true;
        return false;
    }

    /// <summary>A word repeated at once ("is is"), or a pair of words repeated at once ("a man a man"); punctuation does not count.</summary>
    public static bool RepeatsBackToBack(IReadOnlyList<string> words)
    {
        for (int i = 0; i + 1 < words.Count; i++)
        {
            if (IsWord(words[i]) && words[i] == words[i + 1])
                return true;
            if (i + 3 < words.Count && IsWord(words[i]) && IsWord(words[i + 1]) && words[i] == words[i + 2] && words[i + 1] == words[i + 3])
                return true;
        }
        return false;
    }

    private static bool IsWord(string w) => w.Any(char.IsLetterOrDigit);

    /// <summary>Corpus perplexity exp(−Σ log p / Σ (words + 1)) and the share of words outside the reference's vocabulary.</summary>
    private static (double, double) Fluency(IReadOnlyList<List<string>> words, KneserNeyLanguageModel lm)
    {
        double logSum = 0;
        long predictions = 0,
            total = 0,
            unknown = 0;
        foreach (var w in words)
        {
            var lmWords = KneserNeyLanguageModel.Tokenize(string.Join(' ', w));
            logSum += lm.LogProbability(lmWords);
            predictions += lmWords.Count + 1;
            total += lmWords.Count;
            unknown += lmWords.Count(x => !lm.Knows(x));
        }
        return (Math.Exp(-logSum / predictions), total == 0 ? 0 : (double)unknown / total);
    }

    private static double Share<T>(IReadOnlyList<T> items, Func<T, bool> test) => (double)items.Count(test) / items.Count;

    /// <summary>Linear interpolation between order statistics (numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos),
            hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
