using Psim.Data;
using Psim.Models;
using Psim.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>Batched inference: class probabilities for every row, computed in length-sorted batches, returned in input order.</summary>
public static class Predictor
{
    public static float[][] Probabilities(nn.Module<BertInput, Tensor> model, TextEncoder encoder, IReadOnlyList<int[]> rows,
        int batchSize = Defaults.EvalBatchSize, string? progressLabel = null, CancellationToken ct = default)
    {
        var result = new float[rows.Count][];
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Length).ToArray();
        bool wasTraining = model.training;
        model.eval();
        var progress = progressLabel is null ? null : new Progress(progressLabel, rows.Count);
        try
        {
            using var noGrad = no_grad();
            for (int start = 0; start < order.Length; start += batchSize)
            {
                ct.ThrowIfCancellationRequested();
                var idx = order[start..Math.Min(order.Length, start + batchSize)];
                using (NewDisposeScope())
                {
                    using var batch = encoder.Pad(idx.Select(i => rows[i]).ToList());
                    var logits = model.call(new BertInput { InputIds = batch.InputIds, AttentionMask = batch.AttentionMask, TokenTypeIds = batch.TokenTypeIds });
                    var probs = nn.functional.softmax(logits.to(ScalarType.Float32), 1).contiguous().data<float>().ToArray(); // [b * K]
                    int k = (int)logits.shape[1];
                    for (int j = 0; j < idx.Length; j++) result[idx[j]] = probs[(j * k)..((j + 1) * k)];
                }
                NativeHeap.ReleaseFinalizable();
                progress?.Report(start + idx.Length);
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        return result;
    }

    public static int ArgMax(float[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}
