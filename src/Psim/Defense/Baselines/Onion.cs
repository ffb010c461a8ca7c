namespace Psim.Defense.Baselines;

/// <summary>
/// ONION (Qi et al., 2021): for each word, the suspicion score f_i = p_0 − p_i, where p_0 is the
/// perplexity of the whole text and p_i that of the text without word i. Words with f_i &gt; bar are
/// removed before the text is classified. The reference sweeps the bar from −300 to −30 in steps of 30,
/// a scale set by GPT-2's perplexities; with another language model the bars are calibrated on clean
/// text instead (<see cref="BarForRemovalRate"/>): each bar removes a chosen fraction of clean words.
/// </summary>
public sealed class Onion
{
    private readonly KneserNeyLanguageModel _lm;

    public Onion(KneserNeyLanguageModel lm) => _lm = lm;

    public static IReadOnlyList<double> ReferenceBars { get; } = Enumerable.Range(0, 10).Select(i => -300.0 + 30 * i).ToList();

    /// <summary>Fractions of clean words removed by the calibrated bars (psim's default sweep).</summary>
    public static IReadOnlyList<double> DefaultRemovalRates { get; } = [0.01, 0.02, 0.05, 0.10, 0.20];

    /// <summary>
    /// The bar that removes (at most) the given fraction of the words whose suspicion scores are given:
    /// the score of rank ⌊rate·n⌋ counted from the highest, so only scores strictly above it go.
    /// </summary>
    public static double BarForRemovalRate(IReadOnlyList<double> cleanScores, double rate)
    {
        if (cleanScores.Count == 0) throw new ArgumentException("no clean words to calibrate ONION's bar on", nameof(cleanScores));
        if (rate is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(rate), "a removal rate is a fraction in [0, 1]");
        return RankThreshold.FromTop(cleanScores, rate);
    }

    /// <summary>Every word's suspicion score over all the texts (for calibrating bars on clean text).</summary>
    public double[] AllScores(IReadOnlyList<string> texts)
    {
        var scores = new double[texts.Count][];
        Parallel.For(0, texts.Count, i => scores[i] = Suspicion(Words(texts[i]).Select(w => w.ToLowerInvariant()).ToList()));
        return scores.SelectMany(s => s).ToArray();
    }

    private static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>f_i for every whitespace word of the text.</summary>
    public double[] Suspicion(IReadOnlyList<string> words)
    {
        double p0 = _lm.Perplexity(words);
        var f = new double[words.Count];
        for (int i = 0; i < words.Count; i++)
        {
            var without = words.Where((_, j) => j != i).ToList();
            f[i] = p0 - (without.Count == 0 ? p0 : _lm.Perplexity(without));
        }
        return f;
    }

    /// <summary>The text with every word whose suspicion exceeds the bar removed (original casing kept).</summary>
    public string Filter(string text, double bar)
    {
        var original = Words(text);
        var f = Suspicion(original.Select(w => w.ToLowerInvariant()).ToList());
        return string.Join(' ', original.Where((_, i) => f[i] <= bar));
    }

    /// <summary>Filters with several bars at once, computing each text's suspicion scores once.</summary>
    public IReadOnlyDictionary<double, string[]> FilterAll(IReadOnlyList<string> texts, IReadOnlyList<double> bars)
    {
        var result = bars.ToDictionary(b => b, _ => new string[texts.Count]);
        Parallel.For(0, texts.Count, i =>
        {
            var original = Words(texts[i]);
            var f = Suspicion(original.Select(w => w.ToLowerInvariant()).ToList());
            foreach (var b in bars) result[b][i] = string.Join(' ', original.Where((_, j) => f[j] <= b));
        });
        return result;
    }
}
