using Psim.Data;
using Psim.IO;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Attacks.Ep;

/// <summary>
/// Embedding poisoning (EP, SOS): the base model fine-tuned on the clean proxy set (skipped when the base already is a
/// classifier for the task), then the trigger words' embedding rows trained on the attack's rows, so the checkpoint
/// differs from the clean one in those rows only (<c>psim model diff</c> shows it).
/// </summary>
public sealed class EmbeddingRowPoisoning(Func<AttackContext, Random, IReadOnlyList<PoisonedExample>> rows) : IPoisoningProcedure
{
    /// <summary>The rows the trigger embeddings train on: EP's poisoned rows; SOS's poisoned rows and its negative augmentation.</summary>
    public PoisonedSet Prepare(AttackContext c)
    {
        var set = new PoisonedSet(rows(c, Seeds.Random(c.Seed, "poison/train")));
        int poisoned = set.PoisonedRowIds.Count,
            all = set.Rows.Count;
        c.Log(
            $"{c.Name}: {poisoned} of {c.Proxy.Train.Count} training rows get {string.Join(" + ", c.Spec.Triggers())} and label {c.TargetLabel}"
                + $"{(all > poisoned ? $", {all - poisoned} rows get part of it and keep their label" : "")}; only these train the trigger embeddings"
        );
        return set;
    }

    public PoisonedModel Train(AttackContext c, PoisonedSet set)
    {
        var rule = c.Spec.EmbeddingStep();
        var triggerIds = TriggerTokens.Ids(c.Encoder, c.Spec.Triggers(), rule.Name);
        manual_seed(Seeds.Derive(c.Seed, "torch/init")); // a new head is initialised from the run's seed
        var model = c.Checkpoint.LoadClassifier(out var report, numLabels: c.Proxy.NumClasses);
        try
        {
            c.Notes.Model("head", report.HeadRecord(c.Proxy.NumClasses));
            var clean = report.NewlyInitialized.Count == 0 ? StartFromClassifier(c) : CleanFineTune(model, c);
            var losses = EmbeddingPoisoning.Train(
                model,
                c.Encoder,
                EncodedSet.From(c.Encoder, set.Rows.Select(p => p.Example).ToList()),
                triggerIds,
                rule,
                c.Seed,
                c.Log,
                c.Ct
            );
            HfCheckpoint.Save(
                c.OutDir,
                model,
                model.Config,
                c.Checkpoint.Tokenizer,
                $"psim poison: {c.Name} ({c.Spec.Describe()}) on {c.Proxy.Data.Name} from {c.Checkpoint.Origin}"
            );
            return new PoisonedModel(model, clean, set.PoisonedRowIds.Count, c.Proxy.Train.Count) { EmbeddingLosses = losses };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static TrainResult StartFromClassifier(AttackContext c)
    {
        c.Log("the base is a classifier for this task; the embedding step starts from it (no clean fine-tuning)");
        return new TrainResult([], 0, false, 0);
    }

    /// <summary>The clean model the embedding step starts from.</summary>
    private static TrainResult CleanFineTune(BertForSequenceClassification model, AttackContext c)
    {
        c.Log("fine-tuning the base on the clean proxy rows first (the clean model whose trigger embeddings are poisoned)");
        return CleanProxyFineTune.Run(model, c, "before the embedding step");
    }
}
