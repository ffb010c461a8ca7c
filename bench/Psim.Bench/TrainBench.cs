using System.Diagnostics;
using Psim.Data;
using Psim.IO;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Bench;

/// <summary>Training throughput of full fine-tuning and each PEFT method on MiniLM, SST-2 train sentences, batch 32.</summary>
internal static class TrainBench
{
    public sealed record Result(
        string Method,
        int Steps,
        double Seconds,
        double SamplesPerSecond,
        double SecondsPerStep,
        long TrainableParameters,
        double PeakRssMiB,
        double? GFlops
    );

    public static Result Run(HfCheckpoint ckpt, IReadOnlyList<Example> rows, string method, int steps, int warmup = 3)
    {
        var encoder = ckpt.CreateTextEncoder(128);
        var (_, step, trainableCount, owner) = SideBySide.Trainable(ckpt, method, learningRate: 1e-5);
        using var o1 = owner;
        using var o2 = step;
        var set = EncodedSet.From(encoder, rows);
        var batches = BatchPlanner.Plan(set.Lengths, 32, bucketing: true, new Random(1));
        ProcessStats.ResetPeakRss();
        double flops = 0;
        int samples = 0;
        var sw = new Stopwatch();
        for (int i = 0; i < warmup + steps; i++)
        {
            if (i == warmup)
                sw.Start();
            var idx = batches[i % batches.Count];
            using var scope = NewDisposeScope();
            using var batch = encoder.Pad(idx.Select(j => set.Ids[j]).ToList());
            _ = step.Run(batch, tensor(idx.Select(j => (long)set.Labels[j]).ToArray()), 1e-5);
            if (i >= warmup)
            {
                samples += idx.Length;
                flops += 3 * ForwardBench.Flops(ckpt.Config, batch.InputIds.shape[0], batch.InputIds.shape[1]); // forward + backward ≈ 3× forward
            }
        }
        sw.Stop();
        double secs = sw.Elapsed.TotalSeconds;
        return new Result(
            method,
            steps,
            secs,
            samples / secs,
            secs / steps,
            trainableCount,
            ProcessStats.StatusMiB("VmHWM:"),
            method == "full" ? flops / secs / 1e9 : null
        );
    }
}
