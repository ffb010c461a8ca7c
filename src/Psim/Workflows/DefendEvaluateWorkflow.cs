using System.Text;
using Psim.Attacks;
using Psim.Charts;
using Psim.Data;
using Psim.Defense;
using Psim.Defense.Psim;
using Psim.Evaluation;
using Psim.Files;
using Psim.IO;
using Psim.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

public sealed record DefendRequest : IFolderRequest<DefendRequest>
{
    public DefendRequest WithOutDir(string dir) => this with { OutDir = dir };

    public required TaskInput Task { get; init; }
    public required VictimInput Victim { get; init; }
    public required AttackInput Attack { get; init; }
    public required DetectorInput Detector { get; init; }

    /// <summary>Overrides the detector's stored threshold (e.g. to compare 0.7 with a calibrated one).</summary>
    public double? Threshold { get; init; }

    /// <summary>The run's seed (trigger positions).</summary>
    public long Seed { get; init; } = Defaults.Seed;
    public required string OutDir { get; init; }

    /// <summary>Replace a psim output folder of another kind; never part of a step key or run.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Force { get; init; }
}

/// <summary>The metrics.json of <c>psim defend evaluate</c>.</summary>
public sealed record DefenseReport(
    double CleanAccuracy,
    double AttackSuccessRate,
    double DefendedCleanAccuracy,
    double DefendedAttackSuccessRate,
    double Frr,
    double Far,
    double Precision,
    double Recall,
    double F1,
    double Auroc,
    double Threshold,
    ThresholdMode ThresholdHow,
    int CleanRows,
    int AttackRows,
    string Attack,
    string Data,
    string Detector
);

/// <summary>
/// Evaluates a victim with and without PSIM (spec §4-5): CA and ASR undefended, defended (rejected
/// clean rows count as wrong, rejected poisoned rows as failed attacks), and detection quality.
/// Writes metrics.json, confidence.png (histogram), summary.md and run.json.
/// </summary>
public static class DefendEvaluateWorkflow
{
    public static DefenseReport Run(DefendRequest r, Action<string> log, CancellationToken ct = default)
    {
        if (r.Threshold is double given)
            Defense.Psim.DetectorTrainOptions.CheckThreshold(given);
        var record = new RunRecord
        {
            Command = "defend evaluate",
            Kind = Files.OutputKind.DefendEvaluate,
            Force = r.Force,
            Seed = r.Seed,
            Request = r,
        };
        using var bed = VictimTestBed.Load(r.Task, r.Victim, r.Attack, r.Seed, record, log, ct);
        var (data, victim, encoder, test, attackRows) = (bed.Data, bed.Victim, bed.Encoder, bed.Test, bed.AttackRows);
        using var detector = r.Detector.Load(r.Victim, bed.Checkpoint, log);
        record.AddInput(r.Detector.Folder);
        double tau = r.Threshold ?? detector.Threshold;
        var how = r.Threshold is null ? detector.Settings.Threshold.How : ThresholdMode.Given;
        return record.Execute(r.OutDir, log, () =>
        {
            var cleanGold = test.Select(e => e.Label).ToList();
            var attackGold = attackRows.Select(e => e.Label).ToList();
            var cleanPred = ModelEvaluation.Predict(victim, encoder, test, Defaults.EvalBatchSize, "victim, clean test", ct);
            var attackPred = ModelEvaluation.Predict(
                victim,
                encoder,
                attackRows,
                Defaults.EvalBatchSize,
                $"victim, {r.Attack.Name} test",
                ct
            );
            var cleanScore = detector.Score(test.Select(e => e.Text).ToList(), progressLabel: "PSIM, clean test", ct: ct);
            var attackScore = detector.Score(attackRows.Select(e => e.Text).ToList(), progressLabel: $"PSIM, {r.Attack.Name} test", ct: ct);
            var cleanRejected = cleanScore.Select(c => c > tau).ToList();
            var attackRejected = attackScore.Select(c => c > tau).ToList();

            var det = DetectionMetrics.Compute(cleanScore, attackScore, tau);
            var report = new DefenseReport(
                Metrics.Accuracy(cleanPred, cleanGold),
                Metrics.AttackSuccessRate(attackPred, attackGold, r.Attack.TargetLabel),
                DefendedCounts.CleanAccuracy(cleanPred, cleanGold, cleanRejected),
                DefendedCounts.AttackSuccessRate(attackPred, attackGold, attackRejected, r.Attack.TargetLabel),
                det.Frr,
                det.Far,
                det.Precision,
                det.Recall,
                det.F1,
                det.Auroc,
                tau,
                how,
                test.Count,
                attackRows.Count,
                r.Attack.Name,
                data.Name,
                Path.GetFullPath(r.Detector.Folder)
            );

            ResultFiles.Scores.Write(
                r.OutDir,
                new PsimScores(cleanScore, attackScore) { PoisonedToTarget = attackPred.Select(p => p == r.Attack.TargetLabel).ToList() }
            );
            ResultFiles.Defense.Write(r.OutDir, report);
            ConfidenceHistogram.Save(
                Path.Combine(r.OutDir, "confidence.png"),
                cleanScore,
                attackScore,
                tau,
                $"PSIM confidence on {data.Name}: clean test vs {r.Attack.Name}-triggered test"
            );
            AtomicFile.WriteAllText(Path.Combine(r.OutDir, "summary.md"), Summary(report, r));
            return report;
        });
    }

    private static string Summary(DefenseReport m, DefendRequest r)
    {
        string P(double v) => $"{100 * v:F2}%";
        var sb = new StringBuilder();
        sb.AppendLine($"# PSIM on {m.Data}, {m.Attack}");
        sb.AppendLine();
        sb.AppendLine(
            $"Victim: `{r.Victim.Model}`{(r.Victim.Adapter is null ? "" : $" with adapter `{r.Victim.Adapter}`")}. Detector: `{r.Detector.Folder}` (threshold {m.Threshold:0.######}, {Vocabulary<ThresholdMode>.Name(m.ThresholdHow)})."
        );
        sb.AppendLine();
        sb.AppendLine("| | without PSIM | with PSIM |");
        sb.AppendLine("|---|---:|---:|");
        sb.AppendLine($"| clean accuracy (CA), {m.CleanRows} rows | {P(m.CleanAccuracy)} | {P(m.DefendedCleanAccuracy)} |");
        sb.AppendLine($"| attack success rate (ASR), {m.AttackRows} rows | {P(m.AttackSuccessRate)} | {P(m.DefendedAttackSuccessRate)} |");
        sb.AppendLine();
        sb.AppendLine(
            $"Detection (poisoned = positive): FRR {P(m.Frr)} (clean inputs rejected), FAR {P(m.Far)} (poisoned inputs accepted), "
                + $"precision {P(m.Precision)}, recall {P(m.Recall)}, F1 {P(m.F1)}, AUROC {m.Auroc:F4}."
        );
        sb.AppendLine();
        sb.AppendLine("With PSIM, a rejected clean input counts as wrong and a rejected poisoned input as a failed attack.");
        sb.AppendLine();
        sb.AppendLine("![confidence histogram](confidence.png)");
        return sb.ToString();
    }
}
