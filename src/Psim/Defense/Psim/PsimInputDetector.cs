using Psim.Defense.Detection;
using Psim.Peft;

namespace Psim.Defense.Psim;

/// <summary>PSIM under the protocol: suspicion = the detector's confidence c(x); its own threshold is replaced by the protocol's, set on clean dev at the same FRR as every other detector's.</summary>
public sealed class PsimInputDetector : IInputDetector
{
    private readonly PsimDetector _detector;

    public PsimInputDetector(PsimDetector detector, IReadOnlyList<string> cleanDev, CancellationToken ct)
    {
        _detector = detector;
        CalibrationScores = Score(cleanDev, "PSIM, clean dev", ct);
    }

    public static readonly DefenseDescriptor Descriptor = new()
    {
        Kind = DefenseKind.Psim,
        UsesPsimDetector = true,
        Detector = c => new PsimInputDetector(
            c.Psim ?? throw new PsimException("comparing PSIM with the baselines needs its detector folder (--detector)"),
            c.DevTexts,
            c.Ct
        ),
    };

    public DefenseKind Kind => DefenseKind.Psim;
    public string Setting => $"{_detector.Settings.Method.Name()} detector on the suspicious checkpoint; score = max softmax probability";
    public DetectorCost Cost => new(1, "PSIM detector: 1 pass (a PEFT model on the same backbone)");
    public FlagResponse Response => FlagResponse.Reject;
    public IReadOnlyList<double> CalibrationScores { get; }

    public double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct) =>
        _detector.Score(texts, progressLabel: label, ct: ct);
}
