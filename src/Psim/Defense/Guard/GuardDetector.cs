using Psim.Data;
using Psim.Defense.Dan;
using Psim.Defense.Detection;
using Psim.Defense.Psim;
using Psim.Peft;
using Psim.Runtime;
using Psim.Training;

namespace Psim.Defense.Guard;

/// <summary>The guard's scores of some texts: PSIM's confidence, DAN's distance, the count of suspect tokens (null: the audit named none), and the fused suspicion.</summary>
public sealed record GuardScores(double[] Psim, double[] Dan, double[]? Tokens, double[] Fused);

/// <summary>
/// The fused input guard: PSIM's confidence (which catches triggers the poisoned backbone is certain of: BadNet,
/// InSent), DAN's feature distance (which catches inputs the victim's layers place far from clean ones: SOS, POR) and,
/// where a model audit named suspect tokens (the rows EP, SOS and RIPPLES implant), how many of them an input carries;
/// each turned into its clean p-value on the same held-out clean dev rows and fused by the smallest
/// (<see cref="MinPFusion"/>); the protocol's one threshold is then set on the fused scores of those clean rows.
/// </summary>
public sealed class GuardDetector : IInputDetector
{
    private readonly PsimDetector _psim;
    private readonly VictimUnderTest _victim;
    private readonly DanDistance _dan;
    private readonly MinPFusion _fusion;
    private readonly int _layers;
    private readonly IReadOnlyList<SuspectToken> _suspects;

    public GuardDetector(
        VictimUnderTest victim,
        PsimDetector psim,
        IReadOnlyList<Example> dev,
        GuardOptions o,
        DanOptions dan,
        IReadOnlyList<SuspectToken>? suspects,
        long seed,
        CancellationToken ct
    )
    {
        o.Validate();
        (_victim, _psim, _suspects) = (victim, psim, suspects ?? []);
        var order = Enumerable.Range(0, dev.Count).ToArray();
        Seeds.Random(seed, "guard/held-out").Shuffle(order);
        int held = (int)(o.HeldOutFraction * order.Length);
        if (held < 2 || order.Length - held < 2)
            throw new PsimException($"the guard needs clean dev rows to fit DAN on and to hold out: {dev.Count} rows, {held} held out");
        var fit = order[..^held].Select(i => dev[i]).ToList();
        var heldOut = order[^held..].Select(i => dev[i].Text).ToList();
        _dan = DanDistance.Fit(
            Features(fit.Select(e => e.Text).ToList(), "guard: DAN, clean dev (fit)", ct),
            fit.Select(e => e.Label).ToList(),
            Features(heldOut, "guard: DAN, clean dev (held out)", ct),
            dan
        );
        _layers = _dan.LayerCount;
        var psimClean = psim.Score(heldOut, progressLabel: "guard: PSIM, clean dev (held out)", ct: ct);
        _fusion = new MinPFusion([psimClean, _dan.HeldOutScores, .. TokenScores(heldOut)], o.TailShare);
        (HeldOut, FitRows) = (held, fit.Count);
    }

    public static readonly DefenseDescriptor Descriptor = new()
    {
        Kind = DefenseKind.Guard,
        UsesPsimDetector = true,
        Options = new OptionsGroup<ICheckedOptions>("guard", "the fused guard (PSIM + DAN)", typeof(GuardOptions)),
        Detector = c => new GuardDetector(
            c.Victim,
            c.Psim ?? throw new PsimException("the guard fuses PSIM's detector with DAN: it needs the detector folder (--detector)"),
            c.Dev,
            c.Settings<GuardOptions>(),
            c.Settings<DanOptions>(),
            c.SuspectTokens,
            c.Seed,
            c.Ct
        ),
    };

    public int HeldOut { get; }
    public int FitRows { get; }

    public DefenseKind Kind => DefenseKind.Guard;
    public string Setting =>
        $"PSIM ({_psim.Settings.Method.Name()} detector), DAN ([CLS] of {_layers} layers, fitted on {FitRows} clean dev rows){Tokens} fused by the smallest clean p-value over {HeldOut} held-out clean dev rows";

    private string Tokens =>
        _suspects.Count == 0 ? "" : $" and the audit's suspect tokens ({string.Join(", ", _suspects.Select(t => $"'{t.Token}'"))})";
    public DetectorCost Cost => new(1, "PSIM detector: 1 pass (a PEFT model on the same backbone); DAN reads the victim's pass");
    public FlagResponse Response => FlagResponse.Reject;
    public IReadOnlyList<double> CalibrationScores => _fusion.CalibrationScores;

    public double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct) => Scored(texts, label, ct).Fused;

    /// <summary>Each text's parts' scores and their fusion.</summary>
    public GuardScores Scored(IReadOnlyList<string> texts, string? label, CancellationToken ct)
    {
        var psim = _psim.Score(texts, progressLabel: label is null ? null : $"{label} (PSIM)", ct: ct);
        var dan = Features(texts, label is null ? null : $"{label} (DAN)", ct).Select(_dan.Score).ToArray();
        var tokens = TokenScores(texts).FirstOrDefault();
        return new GuardScores(psim, dan, tokens, _fusion.Score([psim, dan, .. tokens is null ? [] : new[] { tokens }]));
    }

    /// <summary>The flag rate <paramref name="threshold"/> has on the held-out clean rows (at least one row's share).</summary>
    public double CalibrationFrr(double threshold) =>
        Math.Max(CalibrationScores.Count(s => s > threshold), 1) / (double)CalibrationScores.Count;

    /// <summary>How many of the audit's suspect tokens each text carries (no part at all when the audit named none).</summary>
    private IEnumerable<double[]> TokenScores(IReadOnlyList<string> texts)
    {
        if (_suspects.Count == 0)
            yield break;
        var ids = _suspects.Select(t => t.Id).ToHashSet();
        yield return texts.Select(t => (double)_victim.Encoder.Encode(t).Where(ids.Contains).Distinct().Count()).ToArray();
    }

    private float[][][] Features(IReadOnlyList<string> texts, string? label, CancellationToken ct) =>
        LayerFeatures
            .Extract(_victim.Model, _victim.Encoder, texts.Select(_victim.Encoder.Encode).ToList(), Defaults.EvalBatchSize, label, ct)
            .Select(f => f.Layers)
            .ToArray();
}
