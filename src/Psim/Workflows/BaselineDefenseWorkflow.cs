using Psim.Training;
using Psim.Attacks;
using Psim.Data;
using Psim.Defense;
using Psim.Defense.Baselines;
using Psim.Evaluation;
using Psim.IO;
using Psim.Models;
using Psim.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>What <c>psim defend baselines</c> does: the victim's CA and ASR under the baseline defences.</summary>
public sealed record BaselineRequest : IFolderRequest<BaselineRequest>
{
    public BaselineRequest WithOutDir(string dir) => this with { OutDir = dir };
    public required TaskInput Task { get; init; }
    public required VictimInput Victim { get; init; }
    public required AttackInput Attack { get; init; }
    /// <summary>The run's seed (trigger positions, STRIP's perturbations).</summary>
    public long Seed { get; init; } = Defaults.Seed;
    public required string OutDir { get; init; }
    /// <summary>ONION's bars; null: calibrated on clean dev, one bar per <see cref="OnionRemovalRates"/> entry.</summary>
    public IReadOnlyList<double>? OnionBars { get; init; }
    public IReadOnlyList<double> OnionRemovalRates { get; init; } = Onion.DefaultRemovalRates;
    /// <summary>ONION's reported bar: the most aggressive one whose clean dev accuracy stays within this of the undefended dev accuracy.</summary>
    public double OnionMaxDevDrop { get; init; } = 0.02;
    public int NgramOrder { get; init; } = 3;
    public int StripCopies { get; init; } = 20;
    public double StripTargetFrr { get; init; } = 0.05;
    public DefenseKind[] Defenses { get; init; } = [DefenseKind.Onion, DefenseKind.Strip, DefenseKind.Backtranslation, DefenseKind.Scpd];
}

/// <summary>CA and ASR of one defence setting (<see cref="Defense"/>: a <see cref="DefenseKind"/> name, or "none" for the undefended victim; rejected clean inputs count as wrong, rejected poisoned inputs as failed attacks).</summary>
public sealed record BaselineResult(string Defense, string Setting, double? CleanAccuracy, double? AttackSuccessRate, double? Frr = null, double? Far = null, double? Auroc = null, string? Note = null)
{
    /// <summary>Accuracy on clean dev under this setting (ONION: what picks the reported bar without looking at test or the trigger).</summary>
    public double? DevCleanAccuracy { get; init; }
    /// <summary>True for the one setting of a swept defence that is reported.</summary>
    public bool? Selected { get; init; }
}

/// <summary>
/// The baseline defences of spec §6 on one victim: ONION (with psim's Kneser-Ney n-gram LM in place
/// of GPT-2, trained on the clean training texts; the reference's bar sweep), STRIP (threshold at a
/// target FRR on clean dev), back-translation and SCPD (the pre-paraphrased test files).
/// </summary>
public static class BaselineDefenseWorkflow
{
    public static IReadOnlyList<BaselineResult> Run(BaselineRequest r, Action<string> log, CancellationToken ct = default)
    {
        if (r.Defenses.Contains(DefenseKind.Psim)) throw new PsimException("psim is not a baseline defence: measure it with psim defend evaluate");
        if (r.OnionRemovalRates.Any(x => x is < 0 or > 1)) throw new PsimException($"ONION removal rates are fractions between 0 and 1, not {string.Join(" ", r.OnionRemovalRates)}");
        var record = new RunRecord { Command = "defend baselines", Seed = r.Seed, Request = r };
        using var bed = VictimTestBed.Load(r.Task, r.Victim, r.Attack, r.Seed, record, log, ct);
        var (data, test, attackRows) = (bed.Data, bed.Test, bed.AttackRows);
        var run = new Measure(r, data, bed.Victim, bed.Encoder, test, attackRows, ct);
        return record.Execute(r.OutDir, log, () =>
        {
            var results = new List<BaselineResult> { run.Undefended() };
            if (r.Defenses.Contains(DefenseKind.Onion))
                results.AddRange(OnionSweep(r, data, test, attackRows, run.Gold, run.AttackGold, run.Predict, log));
            if (r.Defenses.Contains(DefenseKind.Strip)) results.Add(run.Strip());
            foreach (var (kind, suffix) in new[] { (DefenseKind.Backtranslation, "backtranslated"), (DefenseKind.Scpd, "paraphrased") })
                if (r.Defenses.Contains(kind)) results.Add(run.Paraphrased(kind, suffix));
            ResultFiles.Baselines.Write(r.OutDir, results);
            return results;
        });
    }

    /// <summary>One victim on one task's test rows and attack rows, measured without a defence and under each baseline.</summary>
    private sealed class Measure(BaselineRequest r, TaskData data, nn.Module<BertInput, Tensor> victim, TextEncoder encoder,
        IReadOnlyList<Example> test, IReadOnlyList<Example> attackRows, CancellationToken ct)
    {
        public IReadOnlyList<int> Gold { get; } = test.Select(e => e.Label).ToList();
        public IReadOnlyList<int> AttackGold { get; } = attackRows.Select(e => e.Label).ToList();

        public int[] Predict(IReadOnlyList<string> texts, string label) =>
            Predictor.Probabilities(victim, encoder, texts.Select(encoder.Encode).ToList(), Defaults.EvalBatchSize, label, ct).Select(Predictor.ArgMax).ToArray();

        public BaselineResult Undefended() => new("none", "", Metrics.Accuracy(Predict(test.Select(e => e.Text).ToList(), "clean"), Gold),
            Metrics.AttackSuccessRate(Predict(attackRows.Select(e => e.Text).ToList(), r.Attack.Name), AttackGold, r.Attack.TargetLabel));

        /// <summary>STRIP: mean entropy of the victim over perturbed copies; the threshold is set on clean dev at the target FRR.</summary>
        public BaselineResult Strip()
        {
            var strip = new Strip(data.Load("train").Select(e => e.Text), r.StripCopies);
            double[] Entropies(IReadOnlyList<string> texts, string label, string stream)
            {
                var rng = Seeds.Random(r.Seed, stream);
                var copies = texts.SelectMany(t => strip.Perturb(t, rng)).ToList();
                var probs = Predictor.Probabilities(victim, encoder, copies.Select(encoder.Encode).ToList(), Defaults.EvalBatchSize, label, ct);
                return Enumerable.Range(0, texts.Count).Select(i => Defense.Baselines.Strip.MeanEntropy(probs.Skip(i * r.StripCopies).Take(r.StripCopies))).ToArray();
            }
            var devEntropy = Entropies(data.Load("dev").Select(e => e.Text).ToList(), "STRIP, dev", "strip/dev");
            double tau = Defense.Baselines.Strip.ThresholdForTargetFrr(devEntropy, r.StripTargetFrr);
            var cleanEntropy = Entropies(test.Select(e => e.Text).ToList(), "STRIP, clean", "strip/clean");
            var attackEntropy = Entropies(attackRows.Select(e => e.Text).ToList(), $"STRIP, {r.Attack.Name}", "strip/attack");
            var cleanPred = Predict(test.Select(e => e.Text).ToList(), "clean");
            var attackPred = Predict(attackRows.Select(e => e.Text).ToList(), r.Attack.Name);
            var det = DetectionMetrics.Compute(cleanEntropy.Select(e => -e).ToList(), attackEntropy.Select(e => -e).ToList(), -tau); // low entropy = suspicious
            return new BaselineResult(Vocabulary<DefenseKind>.Name(DefenseKind.Strip), $"{r.StripCopies} copies, entropy < {tau:F4} (FRR {r.StripTargetFrr:P0} on dev)",
                DefendedCounts.CleanAccuracy(cleanPred, Gold, cleanEntropy.Select(e => e < tau).ToList()),
                DefendedCounts.AttackSuccessRate(attackPred, AttackGold, attackEntropy.Select(e => e < tau).ToList(), r.Attack.TargetLabel),
                det.Frr, det.Far, det.Auroc);
        }

        /// <summary>Back-translation and SCPD: the victim on the pre-paraphrased clean and poisoned test files.</summary>
        public BaselineResult Paraphrased(DefenseKind kind, string suffix)
        {
            string name = Vocabulary<DefenseKind>.Name(kind);
            var cleanFile = data.FindFile($"test_{suffix}");
            if (cleanFile is null) return new BaselineResult(name, "", null, null, Note: $"no test_{suffix} file");
            var clean = data.LoadTestCopy($"test_{suffix}", r.Attack.TargetLabel);
            double ca = Metrics.Accuracy(Predict(clean.Select(e => e.Text).ToList(), $"{name}, clean"), clean.Select(e => e.Label).ToList());
            if (data.FindFile($"test_{r.Attack.Name}_{suffix}") is null)
                return new BaselineResult(name, Path.GetFileName(cleanFile), ca, null, Note: $"no paraphrased {r.Attack.Name} test file: ASR not measurable");
            var p = data.LoadTestCopy($"test_{r.Attack.Name}_{suffix}", r.Attack.TargetLabel).Where(e => e.Label != r.Attack.TargetLabel).ToList();
            double asr = Metrics.AttackSuccessRate(Predict(p.Select(e => e.Text).ToList(), $"{name}, {r.Attack.Name}"), p.Select(e => e.Label).ToList(), r.Attack.TargetLabel);
            return new BaselineResult(name, Path.GetFileName(cleanFile), ca, asr);
        }
    }

    /// <summary>
    /// ONION at every bar: with no bars given, each bar is calibrated to remove a fraction of clean dev
    /// words. The reported bar is chosen on clean dev alone (a defender knows neither the trigger nor
    /// the test labels): the most aggressive bar whose dev accuracy drops by at most OnionMaxDevDrop.
    /// </summary>
    private static List<BaselineResult> OnionSweep(BaselineRequest r, TaskData data, IReadOnlyList<Example> test, IReadOnlyList<Example> attackRows,
        IReadOnlyList<int> gold, IReadOnlyList<int> attackGold, Func<IReadOnlyList<string>, string, int[]> predict, Action<string> log)
    {
        var train = data.Load("train");
        var onion = new Onion(new KneserNeyLanguageModel(train.Select(e => e.Text), r.NgramOrder));
        log($"ONION: {r.NgramOrder}-gram Kneser-Ney LM on {train.Count} clean training texts (stands in for GPT-2)");
        var dev = data.Load("dev");
        var devTexts = dev.Select(e => e.Text).ToList();
        var devGold = dev.Select(e => e.Label).ToList();
        var devScored = onion.ScoreAll(devTexts); // for the calibration and the dev accuracy at each bar
        List<(double Bar, string Setting)> bars;
        if (r.OnionBars is { } given) bars = given.Select(b => (b, $"bar {b:F1}")).ToList();
        else
        {
            var devWordScores = devScored.SelectMany(s => s.Scores).ToList();
            bars = r.OnionRemovalRates.Select(rate =>
            {
                double bar = Onion.BarForRemovalRate(devWordScores, rate);
                return (bar, $"bar {bar:F1}: removes {100 * rate:G3}% of clean dev words");
            }).ToList();
        }
        var distinct = bars.Select(b => b.Bar).Distinct().ToList();
        var devFiltered = Onion.Apply(devScored, distinct);
        var cleanFiltered = onion.FilterAll(test.Select(e => e.Text).ToList(), distinct);
        var attackFiltered = onion.FilterAll(attackRows.Select(e => e.Text).ToList(), distinct);
        double devBase = Metrics.Accuracy(predict(devTexts, "ONION, dev undefended"), devGold);
        var rows = bars.Select(b => new BaselineResult(Vocabulary<DefenseKind>.Name(DefenseKind.Onion), b.Setting,
            Metrics.Accuracy(predict(cleanFiltered[b.Bar], $"ONION {b.Bar:G4}, clean"), gold),
            Metrics.AttackSuccessRate(predict(attackFiltered[b.Bar], $"ONION {b.Bar:G4}, {r.Attack.Name}"), attackGold, r.Attack.TargetLabel))
        {
            DevCleanAccuracy = Metrics.Accuracy(predict(devFiltered[b.Bar], $"ONION {b.Bar:G4}, dev"), devGold),
        }).ToList();
        // most aggressive = lowest bar; fall back to the bar that keeps dev accuracy best
        var pick = rows.Zip(bars).Where(x => x.First.DevCleanAccuracy >= devBase - r.OnionMaxDevDrop).OrderBy(x => x.Second.Bar).Select(x => x.First).FirstOrDefault()
                   ?? rows.OrderByDescending(x => x.DevCleanAccuracy).First();
        return rows.Select(x => x with { Selected = ReferenceEquals(x, pick) }).ToList();
    }
}
