using Psim.Data;
using Psim.Defense.Dan;
using Psim.Defense.Detection;
using Psim.Defense.Psim;
using Psim.Peft;
using Psim.Runtime;
using Psim.Training;

namespace Psim.Defense.Guard;

/// <summary>The guard's scores of some texts: PSIM's confidence, the fused suspicion, and the victim's class probabilities from the pass DAN's features came from.</summary>
public sealed record GuardScores(double[] Psim, double[] Fused, float[][] Probabilities);

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
    private readonly HashSet<int> _suspectIds;
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
        _suspectIds = _suspects.Select(t => t.Id).ToHashSet();
        var order = Enumerable.Range(0, dev.Count).ToArray();
        Seeds.Random(seed, "guard/held-out").Shuffle(order);
        int held = (int)(o.HeldOutFraction * order.Length);
        if (held < 2 || order.Length - held < 2)
            throw new PsimException($"the guard needs clean dev rows to fit DAN on and to hold out: {dev.Count} rows, {held} held out");
        var fit = order[..^held].Select(i => dev[i]).ToList();
        var heldOut = order[^held..].Select(i => dev[i].Text).ToList();
        var heldIds = Encode(heldOut);
        _dan = DanDistance.Fit(
            Layers(victim.Features(Encode(fit.Select(e => e.Text).ToList()), "guard: DAN, clean dev (fit)", ct)),
            fit.Select(e => e.Label).ToList(),
            Layers(victim.Features(heldIds, "guard: DAN, clean dev (held out)", ct)),
            dan
        );
        var psimClean = psim.Score(heldOut, progressLabel: "guard: PSIM, clean dev (held out)", ct: ct);
        _fusion = new MinPFusion(Parts(psimClean, _dan.HeldOutScores, TokenCounts(heldIds)), o.TailShare);
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

    public int HeldOut => _fusion.CalibrationScores.Count;
    public int FitRows => _dan.FitRows;

    public DefenseKind Kind => DefenseKind.Guard;
    public string Setting =>
        $"PSIM ({_psim.Settings.Method.Name()} detector), DAN ([CLS] of {_dan.LayerCount} layers, fitted on {FitRows} clean dev rows){Tokens} fused by the smallest clean p-value over {HeldOut} held-out clean dev rows";

    private string Tokens =>
        _suspects.Count == 0 ? "" : $" and the audit's suspect tokens ({string.Join(", ", _suspects.Select(t => $"'{t.Token}'"))})";
    public DetectorCost Cost => new(1, "PSIM detector: 1 pass (a PEFT model on the same backbone); DAN reads the victim's pass");
    public FlagResponse Response => FlagResponse.Reject;
    public IReadOnlyList<double> CalibrationScores => _fusion.CalibrationScores;

    public double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct) => Scored(texts, label, ct).Fused;

    /// <summary>Each text's parts' scores and their fusion; each text is encoded once and passes the victim once.</summary>
    public GuardScores Scored(IReadOnlyList<string> texts, string? label, CancellationToken ct)
    {
        var ids = Encode(texts);
        var psim = _psim.Score(texts, progressLabel: label is null ? null : $"{label} (PSIM)", ct: ct);
        var features = _victim.Features(ids, label is null ? null : $"{label} (DAN)", ct);
        var dan = Layers(features).Select(_dan.Score).ToArray();
        var tokens = TokenCounts(ids);
        return new GuardScores(psim, _fusion.Score(Parts(psim, dan, tokens)), features.Select(f => f.Probabilities).ToArray());
    }

    /// <summary>The share of the held-out clean rows <paramref name="threshold"/> flags.</summary>
    public double CalibrationFrr(double threshold) => CalibrationScores.Count(s => s > threshold) / (double)HeldOut;

    /// <summary>The parts in fusion order: PSIM, DAN, and the token count when the audit named tokens.</summary>
    private static IReadOnlyList<IReadOnlyList<double>> Parts(IReadOnlyList<double> psim, IReadOnlyList<double> dan, double[]? tokens) =>
        tokens is null ? [psim, dan] : [psim, dan, tokens];

    /// <summary>How many of the audit's suspect tokens each encoded text carries (null when the audit named none).</summary>
    private double[]? TokenCounts(IReadOnlyList<int[]> ids) =>
        _suspectIds.Count == 0 ? null : ids.Select(x => (double)x.Where(_suspectIds.Contains).Distinct().Count()).ToArray();

    private List<int[]> Encode(IReadOnlyList<string> texts) => texts.Select(_victim.Encoder.Encode).ToList();

    private static float[][][] Layers(ClsFeatures[] features) => features.Select(f => f.Layers).ToArray();
}
