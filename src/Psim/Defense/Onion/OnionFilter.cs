using Psim.Defense.Detection;
using Psim.Text;

namespace Psim.Defense.Onion;

/// <summary>
/// ONION (Qi et al., 2021): for each word, the suspicion score f_i = p_0 − p_i, where p_0 is the
/// perplexity of the whole text and p_i that of the text without word i. Words with f_i &gt; bar are
/// removed before the text is classified. The reference sweeps the bar from −300 to −30 in steps of 30,
/// a scale set by GPT-2's perplexities; with another language model the bars are calibrated on clean
/// text instead (<see cref="BarForRemovalRate"/>): each bar removes a chosen fraction of clean words.
/// </summary>
public sealed class OnionFilter
{
    private readonly KneserNeyLanguageModel _lm;

    public OnionFilter(KneserNeyLanguageModel lm) => _lm = lm;

    public static IReadOnlyList<double> ReferenceBars { get; } = Enumerable.Range(0, 10).Select(i => -300.0 + 30 * i).ToList();

    /// <summary>Fractions of clean words removed by the calibrated bars (psim's default sweep).</summary>
    public static IReadOnlyList<double> DefaultRemovalRates { get; } = [0.01, 0.02, 0.05, 0.10, 0.20];

    /// <summary>
    /// The bar that removes (at most) the given fraction of the words whose suspicion scores are given:
    /// the score of rank ⌊rate·n⌋ counted from the highest, so only scores strictly above it go.
    /// </summary>
    public static double BarForRemovalRate(IReadOnlyList<double> cleanScores, double rate)
    {
        if (cleanScores.Count == 0)
            throw new ArgumentException("no clean words to calibrate ONION's bar on", nameof(cleanScores));
        if (rate is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(rate), "a removal rate is a fraction in [0, 1]");
        return RankThreshold.FromTop(cleanScores, rate);
    }

    /// <summary>A text's words (original casing) with their suspicion scores.</summary>
    public sealed record ScoredText(string[] Words, double[] Scores)
    {
        /// <summary>The text without the words whose suspicion exceeds the bar.</summary>
        public string Keep(double bar) => string.Join(' ', Words.Where((_, i) => Scores[i] <= bar));
    }

    /// <summary>Splits the text into whitespace words and scores each (on the lower-cased words).</summary>
    public ScoredText Score(string text)
    {
        var original = Words(text);
        return new ScoredText(original, Suspicion(original.Select(w => w.ToLowerInvariant()).ToList()));
    }

    /// <summary>Scores every text (in parallel); the scores serve any number of bars and the calibration.</summary>
    public ScoredText[] ScoreAll(IReadOnlyList<string> texts)
    {
        var scored = new ScoredText[texts.Count];
        Parallel.For(0, texts.Count, i => scored[i] = Score(texts[i]));
        return scored;
    }

    /// <summary>Every word's suspicion score over all the texts (for calibrating bars on clean text).</summary>
    public double[] AllScores(IReadOnlyList<string> texts) => ScoreAll(texts).SelectMany(s => s.Scores).ToArray();

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
    public string Filter(string text, double bar) => Score(text).Keep(bar);

    /// <summary>Filters with several bars at once, computing each text's suspicion scores once.</summary>
    public IReadOnlyDictionary<double, string[]> FilterAll(IReadOnlyList<string> texts, IReadOnlyList<double> bars) =>
        Apply(ScoreAll(texts), bars);

    /// <summary>Already scored texts filtered at each bar.</summary>
    public static IReadOnlyDictionary<double, string[]> Apply(IReadOnlyList<ScoredText> scored, IReadOnlyList<double> bars) =>
        bars.ToDictionary(b => b, b => scored.Select(s => s.Keep(b)).ToArray());
}
