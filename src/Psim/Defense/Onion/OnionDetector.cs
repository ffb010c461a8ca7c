using Psim.Defense.Detection;

namespace Psim.Defense.Onion;

/// <summary>
/// ONION under the protocol: an input is flagged when some word's suspicion exceeds the bar (score = the
/// highest word suspicion; −∞ for an empty text), and a flagged input is repaired, not rejected: the words
/// above the bar go and the victim classifies the rest. Its FRR is the share of clean inputs it alters.
/// </summary>
public sealed class OnionDetector : IInputDetector
{
    private readonly OnionFilter _onion;
    private readonly int _order;
    private readonly Dictionary<string, OnionFilter.ScoredText> _scored = [];

    public OnionDetector(OnionFilter onion, int order, IReadOnlyList<string> cleanDev)
    {
        (_onion, _order) = (onion, order);
        CalibrationScores = Score(cleanDev, "ONION, clean dev", CancellationToken.None);
    }

    public static readonly DefenseDescriptor Descriptor = new()
    {
        Kind = DefenseKind.Onion,
        Options = new OptionsGroup<ICheckedOptions>("onion", "ONION", typeof(OnionOptions)),
        Detector = c => new OnionDetector(LanguageModel(c), c.Settings<OnionOptions>().NgramOrder, c.DevTexts),
    };

    /// <summary>ONION's language model for this run: an n-gram Kneser-Ney LM on the clean training texts (stands in for GPT-2), one for its protocol row and its extra bars.</summary>
    public static OnionFilter LanguageModel(DetectorContext c) => c.Shared("onion/lm", () =>
        {
            var texts = c.Train.Select(e => e.Text).ToList();
            int order = c.Settings<OnionOptions>().NgramOrder;
            c.Log($"ONION: {order}-gram Kneser-Ney LM on {texts.Count} clean training texts (stands in for GPT-2)");
            return new OnionFilter(new Text.KneserNeyLanguageModel(texts, order));
        });

    public DefenseKind Kind => DefenseKind.Onion;
    public string Setting =>
        $"{_order}-gram Kneser-Ney LM on the clean training texts (for GPT-2); flagged = a word above the bar; flagged inputs lose those words";
    public DetectorCost Cost => new(1, "language model: n + 1 sentence scores for n words");
    public FlagResponse Response => FlagResponse.Repair;
    public IReadOnlyList<double> CalibrationScores { get; }

    public double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct)
    {
        var scored = _onion.ScoreAll(texts);
        lock (_scored)
            for (int i = 0; i < texts.Count; i++)
                _scored[texts[i]] = scored[i];
        return scored.Select(s => s.Scores.Length == 0 ? double.NegativeInfinity : s.Scores.Max()).ToArray();
    }

    public IReadOnlyList<string> Repair(IReadOnlyList<string> texts, double threshold) =>
        texts.Select(t => (_scored.TryGetValue(t, out var s) ? s : _onion.Score(t)).Keep(threshold)).ToList();
}
