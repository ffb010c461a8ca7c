using Psim.Data;
using Psim.Models;
using Psim.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>
/// The loop every batched inference shares: rows in length-sorted batches (less padding), the model in eval mode
/// without gradients (its mode restored after), one dispose scope per batch, progress, Ctrl-C between batches.
/// </summary>
public static class BatchedInference
{
    /// <param name="batch">called per batch with the rows' indices (input order) and their padded encoding, inside the batch's dispose scope</param>
    public static void Run(
        nn.Module<BertInput, Tensor> model,
        TextEncoder encoder,
        IReadOnlyList<int[]> rows,
        int batchSize,
        string? progressLabel,
        CancellationToken ct,
        Action<int[], EncodedBatch> batch
    )
    {
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Length).ToArray();
        bool wasTraining = model.training;
        model.eval();
        var progress = progressLabel is null ? null : new Progress(progressLabel, rows.Count);
        FinalizerGate.Close(); // a server's worker comes back from idle with the gate let go
        try
        {
            using var noGrad = no_grad();
            for (int start = 0; start < order.Length; start += batchSize)
            {
                ct.ThrowIfCancellationRequested();
                var idx = order[start..Math.Min(order.Length, start + batchSize)];
                using (NewDisposeScope())
                {
                    using var padded = encoder.Pad(idx.Select(i => rows[i]).ToList());
                    batch(idx, padded);
                }
                FinalizerGate.SafePoint();
                progress?.Report(start + idx.Length);
            }
        }
        finally
        {
            if (wasTraining)
                model.train();
        }
    }

    /// <summary>A [B, D] tensor as B float arrays.</summary>
    public static float[][] Rows(Tensor t)
    {
        var flat = t.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        int d = (int)t.shape[1];
        return Enumerable.Range(0, (int)t.shape[0]).Select(r => flat[(r * d)..((r + 1) * d)]).ToArray();
    }
}
