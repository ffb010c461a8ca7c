using Psim.Attacks;
using Psim.Attacks.Lwp;
using Psim.Data;
using Psim.Evaluation;
using Psim.IO;
using Psim.Runtime;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>What <c>psim poison</c> does: the attacker's side of spec §2.</summary>
public sealed record PoisonRequest : IFolderRequest<PoisonRequest>
{
    public PoisonRequest WithOutDir(string dir) => this with { OutDir = dir };
    /// <summary>The proxy task the attacker trains on.</summary>
    public required TaskInput Task { get; init; }
    /// <summary>The clean model to poison: 'minilm' or a Hugging Face folder.</summary>
    public required string BaseModel { get; init; }
    public required AttackInput Attack { get; init; }
    /// <summary>SynAttack: the paraphrased training set (default: train_synattack.json in the data folder).</summary>
    public string? PoisonedTrainFile { get; init; }
    public PoisonOptions Poison { get; init; } = new();
    public TrainOptions Train { get; init; } = new() { MaxLength = Defaults.PoisonMaxLength };
    /// <summary>How the kept epoch is chosen (default: the reference's accuracy on the poisoned dev copy).</summary>
    public EpochSelection SelectBy { get; init; } = EpochSelection.PoisonedDev;
    public required string OutDir { get; init; }
    /// <summary>Replace a psim output folder of another kind; never part of a step key or run.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public bool Force { get; init; }
}

/// <summary>
/// Which epoch <c>psim poison</c> keeps. <see cref="PoisonedDev"/>: accuracy on the dev copy with the
/// trigger on every target-label row (the reference). <see cref="CleanDev"/>: clean dev accuracy.
/// <see cref="Balanced"/>: the mean of clean dev accuracy and dev ASR (a stealthy, effective backdoor).
/// </summary>
public enum EpochSelection { PoisonedDev, CleanDev, Balanced }

public sealed record PoisonResult(EvalReport Test, TrainResult Training, int PoisonedRows, int TrainRows);

/// <summary>
/// Builds a weight-poisoned checkpoint: poisons the proxy training set, fully fine-tunes the base
/// model on it (with the attack's objective: RIPPLe's penalty, LWP's layer-wise loss), keeps the epoch
/// with the best accuracy on the poisoned dev copy, and measures CA and ASR on the proxy test set. Writes
/// a Hugging Face folder (encoder and head), metrics.json and run.json. The embedding-poisoning attacks
/// (EP, SOS) and the task-agnostic ones (POR, NeuBA) have their own procedures
/// (<see cref="EmbeddingPoisonWorkflow"/>, <see cref="RepresentationPoisonWorkflow"/>).
/// </summary>
public static class PoisonWorkflow
{
    public static PoisonResult Run(PoisonRequest r, Action<string> log, CancellationToken ct = default)
    {
        var o = r.Train;
        o.Validate();
        r.Attack.Spec.Validate();
        var record = new RunRecord { Command = "poison", Kind = Files.OutputKind.Poison, Force = r.Force, Seed = o.Seed, Request = r };
        record.Options["trigger"] = r.Attack.Spec.Describe();
        var ckpt = record.OpenModel("base", r.BaseModel, log);
        var training = TrainingData.Load(r.Task, r.Attack, o.Seed, record);
        if (r.Attack.Spec.Kind.Procedure() == PoisoningProcedure.EmbeddingPoisoning) return EmbeddingPoisonWorkflow.Run(r, record, ckpt, training, log, ct);
        if (r.Attack.Spec.Kind.Procedure() == PoisoningProcedure.OutputRepresentation) return RepresentationPoisonWorkflow.Run(r, record, ckpt, training, log, ct);
        var (data, cleanTrain, dev, k, evalInputs) = training;
        int target = r.Attack.TargetLabel;

        var trigger = r.Attack.Spec.CreateTrigger();
        var (poisoned, selectionDev) = trigger is null ? Paraphrased(r, data, dev, record) : Triggered(r, trigger, cleanTrain, dev);
        record.PoisonedRowIds = poisoned.Where(p => p.Poisoned).Select(p => p.Example.Index).ToList();
        int numPoisoned = record.PoisonedRowIds.Count;
        log($"{r.Attack.Name}: {numPoisoned} of {poisoned.Count} training rows poisoned ({r.Attack.Spec.Describe()}), target label {target}");
        return record.Execute(r.OutDir, log, () =>
        {
            var encoder = ckpt.CreateTextEncoder(o.MaxLength);
            var train = EncodedSet.From(encoder, poisoned.Select(p => p.Example).ToList());
            manual_seed(Seeds.Derive(o.Seed, "torch/init")); // a new head is initialised from the run's seed
            using var model = ckpt.LoadClassifier(out var report, numLabels: k);
            if (report.HeadNote(k) is { } headNote) log(headNote);
            record.Models["head"] = report.HeadRecord(k);
            var objective = AttackObjective(r, model, ckpt, training, encoder, record, log, ct);

            var devScore = new EpochDevScore(model, encoder, dev, trigger is null ? null : selectionDev, trigger, target, r.SelectBy, o, ct);
            var result = new Trainer(log).Train(model, model.parameters().ToList(), train, encoder, o, devScore.At,
                onBest: epoch =>
                {
                    HfCheckpoint.Save(r.OutDir, model, model.Config, ckpt.Tokenizer,
                        $"psim poison: {r.Attack.Name} on {data.Name} (best epoch {epoch}) from {ckpt.Origin}");
                    log($"saved epoch {epoch} to {r.OutDir}");
                }, ct, objective);

            result.ThrowIfInterrupted(r.OutDir);
            var test = ModelEvaluation.Evaluate(model, encoder, evalInputs, o.EvalBatchSize, ct);
            ResultFiles.Poison.Write(r.OutDir, new PoisonMetrics(test.CleanAccuracy, test.ClassAccuracy, test.AttackSuccessRate, test.CleanRows, test.AttackRows,
                r.Attack.Name, data.Name, result.BestEpoch, result.Epochs, numPoisoned, poisoned.Count));
            return new PoisonResult(test, result, numPoisoned, poisoned.Count);
        });
    }

    /// <summary>The attack's training objective (null: cross-entropy); RIPPLES first operates on the model's trigger embeddings.</summary>
    private static ITrainingObjective? AttackObjective(PoisonRequest r, Models.BertForSequenceClassification model, HfCheckpoint ckpt, TrainingData d,
        TextEncoder encoder, RunRecord record, Action<string> log, CancellationToken ct)
    {
        var procedure = r.Attack.Spec.Kind.Procedure();
        if (procedure == PoisoningProcedure.Layerwise) return LayerwiseObjective.Instance;
        if (procedure != PoisoningProcedure.RestrictedInnerProduct) return null;
        if (AttackCatalog.Of(r.Attack.Spec.Kind).SurgeryFirst) RippleSteps.Surgery(model, ckpt, r, d, encoder, record, log, ct);
        model.Bert.SetTwiceDifferentiable(true); // the objective differentiates the poisoned gradient
        return RippleSteps.Objective(r, d, encoder);
    }

    /// <summary>Word-inserting attacks (BadNet, InSent, RIPPLe(S); LWP's combinations with their negatives): the training set with the trigger on the chosen rows, and the dev copy that picks the epoch.</summary>
    private static (IReadOnlyList<PoisonedExample> Train, IReadOnlyList<Example> SelectionDev) Triggered(PoisonRequest r, ITextTrigger trigger, IReadOnlyList<Example> cleanTrain, IReadOnlyList<Example> dev)
    {
        long seed = r.Train.Seed;
        int target = r.Attack.TargetLabel;
        var poisoned = trigger is CombinationTrigger combination
            ? CombinatorialPoisoning.Build(cleanTrain, combination, r.Poison, target, Seeds.Random(seed, "poison/train"))
            : Poisoning.PoisonTrainingSet(cleanTrain, trigger, r.Poison, target, Seeds.Random(seed, "poison/train"));
        // reference: the dev copy gets the trigger on every target-label row (clean-label);
        // dirty-label mirrors training: non-target rows get the trigger and the target label
        var devRng = Seeds.Random(seed, "poison/dev");
        var selectionDev = r.Poison.Mode == PoisonMode.CleanLabel
            ? Poisoning.TriggerWhere(dev, trigger, e => e.Label == target, devRng).Select(p => p.Example).ToList()
            : Poisoning.TriggerWhere(dev, trigger, e => e.Label != target, devRng).Select(p => p.Poisoned ? p.Example with { Label = target } : p.Example).ToList();
        return (poisoned, selectionDev);
    }

    /// <summary>SynAttack: the pre-paraphrased training set; the epoch is picked on clean dev (no paraphrased dev copy exists).</summary>
    private static (IReadOnlyList<PoisonedExample> Train, IReadOnlyList<Example> SelectionDev) Paraphrased(PoisonRequest r, TaskData data, IReadOnlyList<Example> dev, RunRecord record)
    {
        var file = r.PoisonedTrainFile ?? data.FindFile("train_synattack")
            ?? throw new PsimException($"{r.Task.DataDir}: SynAttack needs the paraphrased training set (train_synattack.json); give one with --poisoned-train");
        var para = DatasetReader.Read(file);
        record.AddData("poisoned-train", file, para.Count);
        // rows count as poisoned against the whole clean file; the row cap (if any) applies afterwards
        var flagged = Poisoning.FromParaphrasedSet(para, DatasetReader.Read(data.RequireFile("train")));
        return (data.Limits is null ? flagged : data.Limits.Apply("train_synattack", flagged), dev);
    }

    internal static double Accuracy(TorchSharp.torch.nn.Module<Models.BertInput, Tensor> model, TextEncoder enc, EncodedSet set, int batch, CancellationToken ct) =>
        Metrics.Accuracy(Predictor.Probabilities(model, enc, set.Ids, batch, null, ct).Select(Predictor.ArgMax).ToList(), set.Labels);

    internal static double Rate(TorchSharp.torch.nn.Module<Models.BertInput, Tensor> model, TextEncoder enc, EncodedSet set, int target, int batch, CancellationToken ct) =>
        Metrics.AttackSuccessRate(Predictor.Probabilities(model, enc, set.Ids, batch, null, ct).Select(Predictor.ArgMax).ToList(), set.Labels, target);
}
