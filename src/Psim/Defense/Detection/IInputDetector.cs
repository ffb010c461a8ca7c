namespace Psim.Defense.Detection;

/// <summary>What a detector does with an input it flags: reject it (PSIM, STRIP, RAP, DAN), or repair it and classify the repaired text (ONION).</summary>
public enum FlagResponse
{
    Reject,
    Repair,
}

/// <summary>
/// What one input costs a detector: the victim's forward passes per input, counting the prediction itself
/// (PSIM 1, DAN 1: its features come from the prediction's pass, RAP 2, STRIP 1 + copies), and any other model it runs.
/// </summary>
public sealed record DetectorCost(int VictimPasses, string? OtherModel = null);

/// <summary>
/// An inference-time detector under psim's one protocol (docs/metrics.md): a suspicion score per input,
/// higher = more likely poisoned; its threshold is set on clean dev scores alone, at a stated FRR
/// (<see cref="DetectionProtocol"/>), never with test labels or triggered inputs.
/// </summary>
public interface IInputDetector
{
    DefenseKind Kind { get; }

    /// <summary>Its settings, as the report prints them.</summary>
    string Setting { get; }
    DetectorCost Cost { get; }
    FlagResponse Response { get; }

    /// <summary>Scores of clean dev inputs the detector was not fitted on: the scores its threshold is set from.</summary>
    IReadOnlyList<double> CalibrationScores { get; }

    /// <summary>Suspicion of each text (higher = more suspicious).</summary>
    double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct);

    /// <summary>For <see cref="FlagResponse.Repair"/>: the texts as the victim then sees them at this threshold.</summary>
    IReadOnlyList<string> Repair(IReadOnlyList<string> texts, double threshold) =>
        throw new NotSupportedException($"{Kind} rejects what it flags; it does not repair");
}
