using Psim.Defense.Detection;
using Psim.Training;

namespace Psim.Defense.Dan;

/// <summary>DAN under the protocol: suspicion = the aggregated normalised Mahalanobis distance of the victim's layer-wise [CLS] features; the threshold comes from the held-out part of clean dev.</summary>
public sealed class DanDetector : IInputDetector
{
    private readonly VictimUnderTest _victim;
    private readonly DanDistance _dan;
    private readonly DanOptions _options;
    private readonly int _layers;

    /// <param name="cleanDev">clean dev texts and their gold labels</param>
    public DanDetector(
        VictimUnderTest victim,
        IReadOnlyList<(string Text, int Label)> cleanDev,
        DanOptions options,
        long seed,
        CancellationToken ct
    )
    {
        (_victim, _options) = (victim, options);
        var features = Features(cleanDev.Select(e => e.Text).ToList(), "DAN, clean dev", ct);
        _layers = features[0].Length;
        _dan = DanDistance.Fit(features, cleanDev.Select(e => e.Label).ToList(), options, seed);
    }

    public static readonly DefenseDescriptor Descriptor = new()
    {
        Kind = DefenseKind.Dan,
        Options = new OptionsGroup<ICheckedOptions>("dan", "DAN", typeof(DanOptions)),
        Detector = c => new DanDetector(c.Victim, c.Dev.Select(e => (e.Text, e.Label)).ToList(), c.Settings<DanOptions>(), c.Seed, c.Ct),
    };

    public DefenseKind Kind => DefenseKind.Dan;
    public string Setting =>
        $"[CLS] of {_layers} layers; Gaussians fitted on {_dan.FitRows} clean dev rows (shrinkage {_options.Shrinkage}), normalised on {_dan.HeldOutScores.Count} held out; {Vocabulary<DanAggregation>.Name(_options.Aggregation)} over layers";
    public DetectorCost Cost => new(1);
    public FlagResponse Response => FlagResponse.Reject;
    public IReadOnlyList<double> CalibrationScores => _dan.HeldOutScores;

    public double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct) =>
        Features(texts, label, ct).Select(_dan.Score).ToArray();

    private float[][][] Features(IReadOnlyList<string> texts, string label, CancellationToken ct) =>
        _victim.Features(texts.Select(_victim.Encoder.Encode).ToList(), label, ct).Select(f => f.Layers).ToArray();
}
