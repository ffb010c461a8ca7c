using Psim.Data;
using Psim.Defense.Psim;
using Psim.IO;
using Psim.Runtime;

namespace Psim.Workflows;

/// <summary>What <c>psim detector train</c> does: a PSIM detector for a suspicious checkpoint, trained on the defender's clean task.</summary>
public sealed record DetectorRequest : IFolderRequest<DetectorRequest>
{
    public DetectorRequest WithOutDir(string dir) => this with { OutDir = dir };

    /// <summary>The defender's clean task (train rows; dev rows for calibration).</summary>
    public required TaskInput Task { get; init; }

    /// <summary>The suspicious checkpoint, with its head: 'minilm' or a Hugging Face folder.</summary>
    public required string Model { get; init; }
    public DetectorTrainOptions Detector { get; init; } = new();
    public required string OutDir { get; init; }

    /// <summary>Replace a psim output folder of another kind; never part of a step key or run.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Force { get; init; }
}

/// <summary>What <c>psim detector calibrate</c> does: a saved detector's threshold chosen for a target FRR on a task's clean dev rows.</summary>
public sealed record RecalibrateRequest
{
    public required string Detector { get; init; }
    public required TaskInput Task { get; init; }
    public required double TargetFrr { get; init; }
}

/// <summary>
/// Trains a detector on the task's training rows (relabelled at random, spec §4), calibrating its
/// threshold on the dev rows when a target FRR is given; writes the detector folder and run.json.
/// </summary>
public static class DetectorWorkflow
{
    public static PsimDetector Run(DetectorRequest r, Action<string> log, CancellationToken ct = default)
    {
        r.Detector.Validate();
        var ckpt = ModelResolver.Open(r.Model, log);
        var data = r.Task.Open();
        var train = data.Load("train");
        var dev = r.Detector.TargetFrr is null ? null : data.Load("dev");
        var record = new RunRecord
        {
            Command = "detector train",
            Kind = Files.OutputKind.DetectorTrain,
            Force = r.Force,
            Seed = r.Detector.Train.Seed,
            Request = r,
        };
        record.AddInput(ckpt.Directory);
        record.AddData("train", data.RequireFile("train"), train.Count);
        if (dev is not null)
            record.AddData("calibration", data.RequireFile("dev"), dev.Count);
        return record.Execute(r.OutDir, log, () =>
            DetectorTrainer.Train(
                ckpt,
                r.Model,
                train,
                data.RequireFile("train"),
                dev,
                dev is null ? null : data.RequireFile("dev"),
                r.Detector,
                r.OutDir,
                log,
                ct
            )
        );
    }

    /// <summary>Rewrites a saved detector's threshold for the target FRR on the task's clean dev rows (no retraining).</summary>
    public static ThresholdChoice Recalibrate(RecalibrateRequest r, Action<string> log, CancellationToken ct = default)
    {
        var data = r.Task.Open();
        using var detector = PsimDetector.Load(r.Detector, null, log);
        return DetectorTrainer.Recalibrate(detector, data.Load("dev"), data.RequireFile("dev"), r.TargetFrr, log, ct);
    }
}
