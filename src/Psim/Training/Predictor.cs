using Psim.Data;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>Batched inference: class probabilities for every row, computed in length-sorted batches, returned in input order.</summary>
public static class Predictor
{
    public static float[][] Probabilities(
        nn.Module<BertInput, Tensor> model,
        TextEncoder encoder,
        IReadOnlyList<int[]> rows,
        int batchSize = Defaults.EvalBatchSize,
        string? progressLabel = null,
        CancellationToken ct = default
    )
    {
        var result = new float[rows.Count][];
        BatchedInference.Run(model, encoder, rows, batchSize, progressLabel, ct, (idx, batch) =>
        {
            var logits = model.call(
                new BertInput
                {
                    InputIds = batch.InputIds,
                    AttentionMask = batch.AttentionMask,
                    TokenTypeIds = batch.TokenTypeIds,
                }
            );
            Finite.Require(logits, progressLabel ?? "inference");
            var probs = BatchedInference.Rows(nn.functional.softmax(logits.to(ScalarType.Float32), 1)); // [b][K]
            for (int j = 0; j < idx.Length; j++)
                result[idx[j]] = probs[j];
        });
        return result;
    }

    public static int ArgMax(float[] p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++)
            if (p[i] > p[best])
                best = i;
        return best;
    }
}
