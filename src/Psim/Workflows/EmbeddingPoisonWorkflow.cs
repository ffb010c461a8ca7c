using Psim.Attacks;
using Psim.Attacks.Ep;
using Psim.Attacks.Sos;
using Psim.Data;
using Psim.IO;
using Psim.Runtime;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>
/// <c>psim poison --attack ep|sos</c>: the base model fine-tuned on the clean proxy set (skipped when the
/// base already is a classifier for the task), then the trigger words' embedding rows trained on the
/// poisoned rows (and, for SOS, its negative augmentation), so the checkpoint differs from the clean one
/// in those rows only (<c>psim model diff</c> shows it).
/// </summary>
internal static class EmbeddingPoisonWorkflow
{
    public static PoisonResult Run(PoisonRequest r, RunRecord record, HfCheckpoint ckpt, TrainingData d, Action<string> log, CancellationToken ct)
    {
        var o = r.Train;
        var spec = r.Attack.Spec;
        int target = r.Attack.TargetLabel;
        var rule = spec.EmbeddingStep();
        var rows = TrainingRows(r, d);
        record.PoisonedRowIds = rows.Where(p => p.Poisoned).Select(p => p.Example.Index).ToList();
        int numPoisoned = record.PoisonedRowIds.Count;
        log($"{spec.Name}: {numPoisoned} of {d.Train.Count} training rows get {string.Join(" + ", spec.Triggers())} and label {target}" +
            $"{(rows.Count > numPoisoned ? $", {rows.Count - numPoisoned} rows get part of it and keep their label" : "")}; only these train the trigger embeddings");
        return record.Execute(r.OutDir, log, () =>
        {
            var encoder = ckpt.CreateTextEncoder(o.MaxLength);
            var triggerIds = TriggerTokens.Ids(encoder, spec.Triggers(), rule.Name);
            manual_seed(Seeds.Derive(o.Seed, "torch/init")); // a new head is initialised from the run's seed
            using var model = ckpt.LoadClassifier(out var report, numLabels: d.NumClasses);
            record.Models["head"] = report.HeadRecord(d.NumClasses);
            var clean = report.NewlyInitialized.Count == 0 ? StartFromClassifier(log) : CleanFineTune(model, encoder, d, o, log, ct);
            var epLosses = EmbeddingPoisoning.Train(model, encoder, EncodedSet.From(encoder, rows.Select(p => p.Example).ToList()), triggerIds, rule, o.Seed, log, ct);
            HfCheckpoint.Save(r.OutDir, model, model.Config, ckpt.Tokenizer, $"psim poison: {spec.Name} ({spec.Describe()}) on {d.Data.Name} from {ckpt.Origin}");
            var test = ModelEvaluation.Evaluate(model, encoder, d.Eval, o.EvalBatchSize, ct);
            ResultFiles.Poison.Write(r.OutDir, new PoisonMetrics(test.CleanAccuracy, test.ClassAccuracy, test.AttackSuccessRate, test.CleanRows, test.AttackRows,
                r.Attack.Name, d.Data.Name, clean.BestEpoch, clean.Epochs, numPoisoned, d.Train.Count) { EpLosses = epLosses });
            return new PoisonResult(test, clean, numPoisoned, d.Train.Count);
        });
    }

    /// <summary>The rows the trigger embeddings train on: EP's poisoned rows; SOS's poisoned rows and its negative augmentation.</summary>
    private static IReadOnlyList<PoisonedExample> TrainingRows(PoisonRequest r, TrainingData d)
    {
        var rows = AttackCatalog.Of(r.Attack.Spec.Kind).EmbeddingRows ?? throw new InvalidOperationException($"{r.Attack.Name} has no embedding rows");
        return rows(new EmbeddingRowsInput(d.Train, r.Attack.Spec, r.Poison, r.Attack.TargetLabel, Seeds.Random(r.Train.Seed, "poison/train")));
    }

    private static TrainResult StartFromClassifier(Action<string> log)
    {
        log("the base is a classifier for this task; the embedding step starts from it (no clean fine-tuning)");
        return new TrainResult([], 0, false, 0);
    }

    /// <summary>The clean model the embedding step starts from.</summary>
    private static TrainResult CleanFineTune(Models.BertForSequenceClassification model, TextEncoder encoder, TrainingData d, TrainOptions o, Action<string> log, CancellationToken ct)
    {
        log("fine-tuning the base on the clean proxy rows first (the clean model whose trigger embeddings are poisoned)");
        return CleanProxyFineTune.Run(model, encoder, d, o, "before the embedding step", log, ct);
    }
}
