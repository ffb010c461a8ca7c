using System.Diagnostics;
using Psim.Evaluation;

namespace Psim.Defense.Detection;

/// <summary>
/// The inputs every detector is measured on: clean test rows and triggered rows (non-target gold labels),
/// the undefended victim's predictions on both, the target label, and the victim itself for detectors that
/// repair inputs instead of rejecting them.
/// </summary>
public sealed record DetectionBench(
    IReadOnlyList<string> Clean,
    IReadOnlyList<int> CleanGold,
    IReadOnlyList<int> CleanPredicted,
    IReadOnlyList<string> Attack,
    IReadOnlyList<int> AttackGold,
    IReadOnlyList<int> AttackPredicted,
    int TargetLabel,
    Func<IReadOnlyList<string>, string, int[]> Predict
);

/// <summary>One detector measured under the protocol: its threshold, detection quality, the victim's CA and ASR with it, and its cost.</summary>
public sealed record DetectorOutcome(
    DefenseKind Kind,
    string Setting,
    double TargetFrr,
    double Threshold,
    DetectionMetrics Detection,
    double CleanAccuracy,
    double AttackSuccessRate,
    double SecondsPer1000,
    DetectorCost Cost,
    RocCurve Roc
);

/// <summary>
/// psim's one protocol for inference-time detectors (docs/metrics.md): the threshold is the clean dev score
/// that at most the target fraction of clean dev inputs exceeds (<see cref="RankThreshold.FromTop"/>), set before
/// any test or triggered input is scored; flagged inputs are rejected (a rejected clean input counts as wrong,
/// a rejected triggered input as a failed attack) or, for a repairing detector, classified as repaired.
/// </summary>
public static class DetectionProtocol
{
    /// <summary>The threshold at the target FRR on clean dev scores: inputs scoring above it are flagged.</summary>
    public static double Threshold(IReadOnlyList<double> cleanDevScores, double targetFrr)
    {
        if (cleanDevScores.Count == 0)
            throw new PsimException("a detector's threshold needs clean dev scores");
        if (!(targetFrr >= 0 && targetFrr < 1))
            throw new PsimException($"target FRR {targetFrr} must be in [0, 1)");
        if (cleanDevScores.Any(double.IsNaN))
            throw new PsimException("a detector produced NaN scores on clean dev");
        return RankThreshold.FromTop(cleanDevScores, targetFrr);
    }

    public static DetectorOutcome Measure(IInputDetector detector, DetectionBench bench, double targetFrr, CancellationToken ct = default)
    {
        string name = Vocabulary<DefenseKind>.Name(detector.Kind);
        double tau = Threshold(detector.CalibrationScores, targetFrr);
        var clock = Stopwatch.StartNew();
        var clean = detector.Score(bench.Clean, $"{name}, clean test", ct);
        var attack = detector.Score(bench.Attack, $"{name}, triggered test", ct);
        double perThousand = clock.Elapsed.TotalSeconds * 1000 / (bench.Clean.Count + bench.Attack.Count);
        var detection = DetectionMetrics.Compute(clean, attack, tau);
        var (ca, asr) =
            detector.Response == FlagResponse.Reject
                ? (
                    DefendedCounts.CleanAccuracy(bench.CleanPredicted, bench.CleanGold, clean.Select(s => s > tau).ToList()),
                    DefendedCounts.AttackSuccessRate(
                        bench.AttackPredicted,
                        bench.AttackGold,
                        attack.Select(s => s > tau).ToList(),
                        bench.TargetLabel
                    )
                )
                : (
                    Metrics.Accuracy(
                        Repaired(detector, bench, bench.Clean, bench.CleanPredicted, tau, $"{name}, repaired clean test"),
                        bench.CleanGold
                    ),
                    Metrics.AttackSuccessRate(
                        Repaired(detector, bench, bench.Attack, bench.AttackPredicted, tau, $"{name}, repaired triggered test"),
                        bench.AttackGold,
                        bench.TargetLabel
                    )
                );
        return new DetectorOutcome(
            detector.Kind,
            detector.Setting,
            targetFrr,
            tau,
            detection,
            ca,
            asr,
            perThousand,
            detector.Cost,
            RocCurve.Compute(clean, attack)
        );
    }

    /// <summary>The victim's predictions on the repaired texts: only the texts the repair changed are predicted again, the others keep the undefended prediction.</summary>
    private static int[] Repaired(
        IInputDetector detector,
        DetectionBench bench,
        IReadOnlyList<string> texts,
        IReadOnlyList<int> predicted,
        double tau,
        string label
    )
    {
        var repaired = detector.Repair(texts, tau);
        var changed = Enumerable.Range(0, texts.Count).Where(i => repaired[i] != texts[i]).ToArray();
        var result = predicted.ToArray();
        var again = changed.Length == 0 ? [] : bench.Predict(changed.Select(i => repaired[i]).ToList(), label);
        for (int k = 0; k < changed.Length; k++)
            result[changed[k]] = again[k];
        return result;
    }
}
