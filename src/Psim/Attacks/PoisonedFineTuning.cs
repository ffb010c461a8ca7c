using Psim.Data;
using Psim.IO;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Attacks;

/// <summary>
/// Data poisoning made into weights (BadNet, InSent, SynAttack; RIPPLe, RIPPLES and LWP with their objectives): the
/// proxy training set poisoned, the base fully fine-tuned on it, the epoch kept that scores best on the dev copy
/// (<see cref="EpochSelection"/>), saved as it is chosen.
/// </summary>
public sealed class PoisonedFineTuning : IPoisoningProcedure
{
    private readonly Func<AttackContext, BertForSequenceClassification, ITrainingObjective?> _objective;
    private readonly Func<AttackContext, ITextTrigger, Random, IReadOnlyList<PoisonedExample>> _poisonRows;

    /// <param name="objective">the attack's training objective on the loaded model (null: cross-entropy); it may first change the model (RIPPLES' surgery)</param>
    /// <param name="poisonRows">the poisoned training set from the clean rows (null: the trigger inserted into the chosen rows, <see cref="Poisoning.PoisonTrainingSet"/>)</param>
    public PoisonedFineTuning(
        Func<AttackContext, BertForSequenceClassification, ITrainingObjective?>? objective = null,
        Func<AttackContext, ITextTrigger, Random, IReadOnlyList<PoisonedExample>>? poisonRows = null
    )
    {
        _objective = objective ?? ((_, _) => null);
        _poisonRows = poisonRows
            ?? ((c, trigger, rng) => Poisoning.PoisonTrainingSet(c.Proxy.Train, trigger, c.Poison, c.TargetLabel, rng));
    }

    public PoisonedSet Prepare(AttackContext c)
    {
        var trigger = c.Spec.CreateTrigger();
        var set = trigger is null ? Paraphrased(c) : Triggered(c, trigger);
        c.Log(
            $"{c.Name}: {set.PoisonedRowIds.Count} of {set.Rows.Count} training rows poisoned ({c.Spec.Describe()}), target label {c.TargetLabel}"
        );
        return set;
    }

    public PoisonedModel Train(AttackContext c, PoisonedSet set)
    {
        var o = c.Train;
        int k = c.Proxy.NumClasses;
        var trigger = c.Spec.CreateTrigger();
        var train = EncodedSet.From(c.Encoder, set.Rows.Select(p => p.Example).ToList());
        manual_seed(Seeds.Derive(o.Seed, "torch/init")); // a new head is initialised from the run's seed
        var model = c.Checkpoint.LoadClassifier(out var report, numLabels: k);
        try
        {
            if (report.HeadNote(k) is { } headNote)
                c.Log(headNote);
            c.Notes.Model("head", report.HeadRecord(k));
            var objective = _objective(c, model);
            var devScore = new EpochDevScore(model, c.Encoder, c.Proxy.Dev, set.SelectionDev, trigger, c.TargetLabel, c.SelectBy, o, c.Ct);
            var result = new Trainer(c.Log).Train(
                model,
                model.parameters().ToList(),
                train,
                c.Encoder,
                o,
                devScore.At,
                onBest: epoch =>
                {
                    HfCheckpoint.Save(
                        c.OutDir,
                        model,
                        model.Config,
                        c.Checkpoint.Tokenizer,
                        $"psim poison: {c.Name} on {c.Proxy.Data.Name} (best epoch {epoch}) from {c.Checkpoint.Origin}"
                    );
                    c.Log($"saved epoch {epoch} to {c.OutDir}");
                },
                c.Ct,
                objective
            );
            result.ThrowIfInterrupted(c.OutDir);
            return new PoisonedModel(model, result, set.PoisonedRowIds.Count, set.Rows.Count);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Word-inserting attacks: the training set with the trigger on the chosen rows, and the dev copy that picks the epoch.</summary>
    private PoisonedSet Triggered(AttackContext c, ITextTrigger trigger)
    {
        var dev = c.Proxy.Dev;
        int target = c.TargetLabel;
        var poisoned = _poisonRows(c, trigger, Seeds.Random(c.Seed, "poison/train"));
        // reference: the dev copy gets the trigger on every target-label row (clean-label);
        // dirty-label mirrors training: non-target rows get the trigger and the target label
        var devRng = Seeds.Random(c.Seed, "poison/dev");
        var selectionDev =
            c.Poison.Mode == PoisonMode.CleanLabel
                ? Poisoning.TriggerWhere(dev, trigger, e => e.Label == target, devRng).Select(p => p.Example).ToList()
                : Poisoning
                    .TriggerWhere(dev, trigger, e => e.Label != target, devRng)
                    .Select(p => p.Poisoned ? p.Example with { Label = target } : p.Example)
                    .ToList();
        return new PoisonedSet(poisoned, selectionDev);
    }

    /// <summary>SynAttack: the pre-paraphrased training set; the epoch is picked on clean dev (no paraphrased dev copy exists).</summary>
    private static PoisonedSet Paraphrased(AttackContext c)
    {
        var data = c.Proxy.Data;
        var file = c.PoisonedTrainFile
            ?? data.FindFile("train_synattack")
            ?? throw new PsimException(
                $"{data.Directory}: SynAttack needs the paraphrased training set (train_synattack.json); give one with --poisoned-train"
            );
        var para = DatasetReader.Read(file);
        c.Notes.AddData("poisoned-train", file, para.Count);
        // rows count as poisoned against the whole clean file; the row cap (if any) applies afterwards
        var flagged = Poisoning.FromParaphrasedSet(para, DatasetReader.Read(data.RequireFile("train")));
        return new PoisonedSet(data.Limits is null ? flagged : data.Limits.Apply("train_synattack", flagged));
    }
}
