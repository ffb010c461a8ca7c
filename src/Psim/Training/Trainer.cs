using Psim.Data;
using Psim.Models;
using Psim.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>One epoch's record: mean training loss, the dev score used to pick the best epoch, and other dev numbers.</summary>
public sealed record EpochLog(int Epoch, double TrainLoss, double? DevScore, IReadOnlyDictionary<string, double> Dev, double Seconds);

public sealed record TrainResult(IReadOnlyList<EpochLog> Epochs, int BestEpoch, bool Interrupted, int Steps)
{
    /// <summary>Stops the run when training was interrupted, saying where its last complete checkpoint is.</summary>
    public void ThrowIfInterrupted(string outDir)
    {
        if (Interrupted)
            throw new PsimInterruptedException($"stopped; the last complete checkpoint (epoch {BestEpoch}) is in {outDir}");
    }
}

/// <summary>
/// Supervised training of a sequence classifier: a <see cref="TrainStep"/> per batch (cross-entropy,
/// AdamW), linear schedule with warm-up, dynamic padding, optional length bucketing and
/// gradient clipping. After each epoch <c>evaluate</c> scores dev; the best epoch's weights are kept
/// (and handed to <c>onBest</c>, e.g. to save a checkpoint). Cancellation stops at a batch boundary.
/// </summary>
public sealed class Trainer(Action<string>? log = null)
{
    private readonly Action<string> _log = log ?? (_ => { });

    /// <summary>Dev evaluation: the score to maximise and any other numbers to log.</summary>
    public delegate (double Score, IReadOnlyDictionary<string, double> Details) DevEvaluator(int epoch);

    public TrainResult Train(
        nn.Module<BertInput, Tensor> model,
        IReadOnlyList<Parameter> trainable,
        EncodedSet train,
        TextEncoder encoder,
        TrainOptions o,
        DevEvaluator? evaluate = null,
        Action<int>? onBest = null,
        CancellationToken ct = default,
        ITrainingObjective? objective = null
    )
    {
        o.Validate();
        FinalizerGate.Close();
        manual_seed(Seeds.Derive(o.Seed, "torch/train"));
        var rng = Seeds.Random(o.Seed, "batches");
        int stepsPerEpoch = (train.Count + o.BatchSize - 1) / o.BatchSize;
        var schedule = new LinearWarmupSchedule(o.LearningRate, stepsPerEpoch * o.Epochs, o.WarmupRatio);
        using var update = new TrainStep(model, trainable, schedule.RateAt(0), o.WeightDecay, o.MaxGradNorm, objective);
        var logs = new List<EpochLog>();
        int step = 0,
            bestEpoch = 0;
        double bestScore = double.NegativeInfinity;
        Dictionary<string, Tensor>? best = null;
        bool interrupted = false;
        try
        {
            for (int epoch = 1; epoch <= o.Epochs && !interrupted; epoch++)
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                model.train();
                var progress = new Progress($"epoch {epoch}/{o.Epochs}", stepsPerEpoch);
                (double lossSum, int batches, interrupted) = RunEpoch(update, train, encoder, o, schedule, rng, progress, ref step, ct);
                if (interrupted)
                    break;
                double? score = null;
                IReadOnlyDictionary<string, double> details = new Dictionary<string, double>();
                if (evaluate is not null)
                {
                    (double s, details) = evaluate(epoch);
                    score = s;
                }
                logs.Add(new EpochLog(epoch, lossSum / Math.Max(1, batches), score, details, sw.Elapsed.TotalSeconds));
                _log(Describe(logs[^1]));
                bool improved = score is null || !o.KeepBestEpoch || score > bestScore;
                if (improved)
                {
                    bestScore = score ?? bestScore;
                    bestEpoch = epoch;
                    if (o.KeepBestEpoch && evaluate is not null && epoch < o.Epochs)
                        best = Snapshot(model, best);
                    onBest?.Invoke(epoch);
                }
            }
            if (best is not null && (interrupted || bestEpoch != logs.LastOrDefault()?.Epoch))
                Restore(model, best);
        }
        finally
        {
            if (best is not null)
                foreach (var t in best.Values)
                    t.Dispose();
            GC.Collect();
        }
        return new TrainResult(logs, bestEpoch, interrupted, step);
    }

    /// <summary>One pass over the training set in planned batches; stops at a batch boundary when cancelled.</summary>
    private static (double LossSum, int Batches, bool Interrupted) RunEpoch(
        TrainStep update,
        EncodedSet train,
        TextEncoder encoder,
        TrainOptions o,
        LinearWarmupSchedule schedule,
        Random rng,
        Progress progress,
        ref int step,
        CancellationToken ct
    )
    {
        double lossSum = 0;
        int batches = 0;
        foreach (var idx in BatchPlanner.Plan(train.Lengths, o.BatchSize, o.LengthBucketing, rng))
        {
            if (ct.IsCancellationRequested)
                return (lossSum, batches, true);
            using (var scope = NewDisposeScope())
            {
                using var batch = encoder.Pad(idx.Select(i => train.Ids[i]).ToList());
                var labels = tensor(idx.Select(i => (long)train.Labels[i]).ToArray());
                lossSum += update.Run(batch, labels, schedule.RateAt(step));
            }
            batches++;
            step++;
            progress.Report(batches, $"loss {lossSum / batches:F4}");
        }
        return (lossSum, batches, false);
    }

    private static string Describe(EpochLog e) =>
        $"epoch {e.Epoch}: train loss {e.TrainLoss:F4}"
        + (e.DevScore is double sc ? $", dev score {sc:F4}" : "")
        + string.Concat(e.Dev.Select(kv => $", {kv.Key} {kv.Value:F4}"))
        + $" ({e.Seconds:F0} s)";

    private static Dictionary<string, Tensor> Snapshot(nn.Module model, Dictionary<string, Tensor>? previous)
    {
        using var noGrad = no_grad();
        if (previous is null)
            return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
        foreach (var (k, v) in model.state_dict())
            previous[k].copy_(v);
        return previous;
    }

    private static void Restore(nn.Module model, Dictionary<string, Tensor> snapshot)
    {
        using var noGrad = no_grad();
        foreach (var (k, v) in model.state_dict())
            v.copy_(snapshot[k]);
    }
}
