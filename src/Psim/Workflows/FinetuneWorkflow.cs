using Psim.Attacks;
using Psim.Data;
using Psim.Evaluation;
using Psim.IO;
using Psim.Peft;
using Psim.Runtime;
using Psim.Training;

namespace Psim.Workflows;

/// <summary>What <c>psim finetune</c> does: the victim adapts a (possibly poisoned) checkpoint on clean data.</summary>
public sealed record FinetuneRequest : IFolderRequest<FinetuneRequest>
{
    public FinetuneRequest WithOutDir(string dir) => this with { OutDir = dir };

    /// <summary>The victim's clean task.</summary>
    public required TaskInput Task { get; init; }

    /// <summary>The checkpoint to adapt (e.g. a poisoned one): 'minilm' or a Hugging Face folder.</summary>
    public required string Model { get; init; }
    public TuningMethod Method { get; init; } = TuningMethod.Full;

    /// <summary>When set, ASR is measured for this attack after training.</summary>
    public AttackInput? Attack { get; init; }
    public TrainOptions Train { get; init; } = new();
    public required string OutDir { get; init; }

    /// <summary>Replace a psim output folder of another kind; never part of a step key or run.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Force { get; init; }
}

public sealed record FinetuneResult(EvalReport Test, TrainResult Training);

/// <summary>
/// Fine-tunes on clean data, keeping the epoch with the best clean dev accuracy, then measures CA
/// (and ASR when an attack is named) on the test set; every epoch's clean dev accuracy and, for an attack
/// that inserts a trigger, dev ASR go into metrics.json's epochs. Writes the model folder, metrics.json and run.json.
/// </summary>
public static class FinetuneWorkflow
{
    public static FinetuneResult Run(FinetuneRequest r, Action<string> log, CancellationToken ct = default)
    {
        var o = r.Train;
        o.Validate();
        var record = new RunRecord
        {
            Command = "finetune",
            Kind = Files.OutputKind.Finetune,
            Force = r.Force,
            Seed = o.Seed,
            Request = r,
        };
        var ckpt = record.OpenModel("start", r.Model, log);
        var (data, trainRows, devRows, k, evalInputs) = TrainingData.Load(r.Task, r.Attack, o.Seed, record);
        return record.Execute(r.OutDir, log, () =>
        {
            var encoder = ckpt.CreateTextEncoder(o.MaxLength);
            TorchSharp.torch.manual_seed(Seeds.Derive(o.Seed, "torch/init")); // new heads and PEFT modules are initialised from the run's seed
            using var classifier = ckpt.LoadClassifier(out var report, numLabels: k);
            if (report.HeadNote(k) is { } headNote)
                log(headNote);
            record.Models["head"] = report.HeadRecord(k);
            var train = EncodedSet.From(encoder, trainRows);

            // full: every weight trains and the whole model is saved; PEFT: the backbone is frozen and an adapter folder is saved
            PeftClassifier? peft = !r.Method.IsPeft()
                ? null
                : PeftFactory.Attach(classifier, PeftFactory.DefaultConfig(r.Method, classifier.Config, r.Model));
            TorchSharp.torch.nn.Module<Models.BertInput, TorchSharp.torch.Tensor> model = (TorchSharp.torch.nn.Module<
                Models.BertInput,
                TorchSharp.torch.Tensor
            >?)peft
                ?? classifier;
            var trainable = peft?.TrainableParameters() ?? classifier.parameters().ToList();
            long trainableCount = trainable.Sum(p => p.numel()),
                total = classifier.parameters().Sum(p => p.numel());
            log($"{r.Method.Name()}: training {trainableCount:N0} of {total:N0} parameters ({100.0 * trainableCount / total:F2}%)");
            string? fingerprint = peft is null ? null : WeightsFingerprint.Compute(ckpt.Weights);
            record.Models["trainable_parameters"] = trainableCount;
            if (peft is not null)
                record.Options["peft_config"] = peft.Config;

            // every epoch: clean dev accuracy (which picks the kept epoch) and, with an attack that inserts a trigger, dev ASR (the backdoor through training)
            var devScore = new EpochDevScore(
                model,
                encoder,
                devRows,
                null,
                r.Attack?.Spec.CreateTrigger(),
                r.Attack?.TargetLabel ?? 0,
                EpochSelection.CleanDev,
                o,
                ct
            );
            var result = new Trainer(log).Train(
                model,
                trainable,
                train,
                encoder,
                o,
                devScore.At,
                onBest: epoch =>
                {
                    if (peft is null)
                        HfCheckpoint.Save(
                            r.OutDir,
                            classifier,
                            classifier.Config,
                            ckpt.Tokenizer,
                            $"psim finetune ({r.Method.Name()}) on {data.Name} (best epoch {epoch}) from {ckpt.Origin}"
                        );
                    else
                        PeftAdapterFolder.Save(r.OutDir, peft, ckpt, fingerprint!);
                    log($"saved epoch {epoch} to {r.OutDir}");
                },
                ct
            );
            result.ThrowIfInterrupted(r.OutDir);
            var test = ModelEvaluation.Evaluate(model, encoder, evalInputs, o.EvalBatchSize, ct);
            ResultFiles.Finetune.Write(
                r.OutDir,
                new FinetuneMetrics(
                    test.CleanAccuracy,
                    test.ClassAccuracy,
                    test.AttackSuccessRate,
                    test.CleanRows,
                    test.AttackRows,
                    r.Attack?.Name,
                    r.Method,
                    trainableCount,
                    data.Name,
                    result.BestEpoch,
                    result.Epochs
                )
                {
                    Triggers = test.Triggers,
                }
            );
            return new FinetuneResult(test, result);
        });
    }
}
