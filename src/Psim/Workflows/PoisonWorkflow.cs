using Psim.Attacks;
using Psim.Data;
using Psim.Evaluation;
using Psim.IO;
using Psim.Training;

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
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Force { get; init; }
}

public sealed record PoisonResult(EvalReport Test, TrainResult Training, int PoisonedRows, int TrainRows);

/// <summary>
/// Builds a weight-poisoned checkpoint: the proxy task and the base model read and checked, the attack's procedure
/// (<see cref="AttackDescriptor.Procedure"/>) given them to poison its rows and train, and the result measured (CA and
/// ASR on the proxy test set, unless the attack is task-agnostic). Writes a Hugging Face folder, metrics.json and run.json.
/// </summary>
public static class PoisonWorkflow
{
    public static PoisonResult Run(PoisonRequest r, Action<string> log, CancellationToken ct = default)
    {
        var o = r.Train;
        o.Validate();
        r.Attack.Spec.Validate();
        var record = new RunRecord
        {
            Command = "poison",
            Kind = Files.OutputKind.Poison,
            Force = r.Force,
            Seed = o.Seed,
            Request = r,
        };
        record.Options["trigger"] = r.Attack.Spec.Describe();
        var ckpt = record.OpenModel("base", r.BaseModel, log);
        var training = TrainingData.Load(r.Task, r.Attack, o.Seed, record);
        var procedure = AttackCatalog.Of(r.Attack.Spec.Kind).Procedure;
        var context = Context(r, record, ckpt, training, log, ct);
        var rows = procedure.Prepare(context);
        record.PoisonedRowIds = rows.PoisonedRowIds.ToList();
        return record.Execute(r.OutDir, log, () =>
        {
            using var poisoned = procedure.Train(context, rows);
            var test = poisoned.Classifier is { } model
                ? ModelEvaluation.Evaluate(model, context.Encoder, training.Eval, o.EvalBatchSize, ct)
                : new EvalReport(double.NaN, 0, null, null, r.Attack.Name);
            ResultFiles.Poison.Write(r.OutDir, Metrics(r, training, poisoned, test));
            return new PoisonResult(test, poisoned.Training, poisoned.PoisonedRows, poisoned.TrainRows);
        });
    }

    private static AttackContext Context(
        PoisonRequest r,
        RunRecord record,
        HfCheckpoint ckpt,
        TrainingData d,
        Action<string> log,
        CancellationToken ct
    ) =>
        new()
        {
            Spec = r.Attack.Spec,
            TargetLabel = r.Attack.TargetLabel,
            Poison = r.Poison,
            Train = r.Train,
            SelectBy = r.SelectBy,
            Checkpoint = ckpt,
            Encoder = ckpt.CreateTextEncoder(r.Train.MaxLength),
            Proxy = new ProxyTask(d.Data, d.Train, d.Dev, d.NumClasses),
            PoisonedTrainFile = r.PoisonedTrainFile,
            OutDir = r.OutDir,
            Notes = record,
            Log = log,
            Ct = ct,
        };

    /// <summary>A task-agnostic attack's metrics have no CA or ASR (no head), only how its outputs fit.</summary>
    private static PoisonMetrics Metrics(PoisonRequest r, TrainingData d, PoisonedModel p, EvalReport test) =>
        p.Classifier is null
            ? new PoisonMetrics(
                null,
                null,
                null,
                0,
                null,
                r.Attack.Name,
                d.Data.Name,
                p.Training.BestEpoch,
                p.Training.Epochs,
                p.PoisonedRows,
                p.TrainRows
            )
            {
                Representation = p.Representation,
            }
            : new PoisonMetrics(
                test.CleanAccuracy,
                test.ClassAccuracy,
                test.AttackSuccessRate,
                test.CleanRows,
                test.AttackRows,
                r.Attack.Name,
                d.Data.Name,
                p.Training.BestEpoch,
                p.Training.Epochs,
                p.PoisonedRows,
                p.TrainRows
            )
            {
                EpLosses = p.EmbeddingLosses,
            };
}
