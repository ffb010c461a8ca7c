using Psim.Data;
using Psim.Defense.Psim;
using Psim.IO;
using Psim.Runtime;

namespace Psim.Pipelines;

/// <summary>What <c>psim detector train</c> does: a PSIM detector for a suspicious checkpoint, trained on the defender's clean task.</summary>
public sealed record DetectorRequest : ITaskRequest, IFolderRequest<DetectorRequest>
{
    public DetectorRequest WithOutDir(string dir) => this with { OutDir = dir };
    /// <summary>How task files are read: empty texts, column names.</summary>
    public ReadOptions Reading { get; init; } = ReadOptions.Default;
    /// <summary>The suspicious checkpoint, with its head: 'minilm' or a Hugging Face folder.</summary>
    public required string Model { get; init; }
    public required string DataDir { get; init; }
    /// <summary>Row caps for quick runs (null: every row).</summary>
    public RowLimits? Limits { get; init; }
    public required string OutDir { get; init; }
    public DetectorTrainOptions Detector { get; init; } = new();
}

/// <summary>
/// Trains a detector on the task's training rows (relabelled at random, spec §4), calibrating its
/// threshold on the dev rows when a target FRR is given; writes the detector folder and run.json.
/// </summary>
public static class DetectorPipeline
{
    public static PsimDetector Run(DetectorRequest r, Action<string> log, CancellationToken ct = default)
    {
        r.Detector.Validate();
        var ckpt = ModelResolver.Open(r.Model, log);
        var data = r.OpenData();
        var train = data.Load("train");
        var dev = r.Detector.TargetFrr is null ? null : data.Load("dev");
        var record = new RunRecord
        {
            Command = "detector train", Seed = r.Detector.Train.Seed,
            Options = new() { ["model"] = r.Model, ["data"] = Path.GetFullPath(r.DataDir), ["detector"] = r.Detector },
        };
        record.AddData("train", data.RequireFile("train"), train.Count);
        if (dev is not null) record.AddData("calibration", data.RequireFile("dev"), dev.Count);
        return record.Execute(r.OutDir, log, () => DetectorTrainer.Train(ckpt, r.Model, train, data.RequireFile("train"),
            dev, dev is null ? null : data.RequireFile("dev"), r.Detector, r.OutDir, log, ct));
    }
}
