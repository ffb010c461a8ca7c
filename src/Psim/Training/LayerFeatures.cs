using Psim.Data;
using Psim.Models;
using Psim.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>One input's class probabilities and each layer's feature at the position the pooler reads ([CLS], or a prompt method's first virtual token).</summary>
public sealed record ClsFeatures(float[] Probabilities, float[][] Layers);

/// <summary>Batched inference that also reads every layer's first-position output, through any wrapper of the classifier (<see cref="BertInput.HiddenStatesSink"/>).</summary>
public static class LayerFeatures
{
    public static ClsFeatures[] Extract(nn.Module<BertInput, Tensor> model, TextEncoder encoder, IReadOnlyList<int[]> rows,
        int batchSize = Defaults.EvalBatchSize, string? progressLabel = null, CancellationToken ct = default)
    {
        var result = new ClsFeatures[rows.Count];
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
                using (NewDisposeScope()) Batch(model, encoder, rows, idx, result);
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

    private static void Batch(nn.Module<BertInput, Tensor> model, TextEncoder encoder, IReadOnlyList<int[]> rows, int[] idx, ClsFeatures[] result)
    {
        float[][][]? layers = null; // [layer][row in batch][hidden]
        using var batch = encoder.Pad(idx.Select(i => rows[i]).ToList());
        var logits = model.call(new BertInput
        {
            InputIds = batch.InputIds, AttentionMask = batch.AttentionMask, TokenTypeIds = batch.TokenTypeIds,
            HiddenStatesSink = hs => layers = hs.Select(h => Rows(h[.., 0, ..])).ToArray(), // h: [B, S, H] -> [B, H]
        });
        if (layers is null) throw new InvalidOperationException("the model did not report its hidden states");
        var probs = Rows(nn.functional.softmax(logits.to(ScalarType.Float32), 1)); // [B, K]
        for (int j = 0; j < idx.Length; j++)
            result[idx[j]] = new ClsFeatures(probs[j], layers.Select(l => l[j]).ToArray());
    }

    /// <summary>A [B, D] tensor as B float arrays.</summary>
    private static float[][] Rows(Tensor t)
    {
        var flat = t.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        int d = (int)t.shape[1];
        return Enumerable.Range(0, (int)t.shape[0]).Select(r => flat[(r * d)..((r + 1) * d)]).ToArray();
    }
}
