using Psim.Data;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>One input's class probabilities and each layer's feature at the position the pooler reads ([CLS], or a prompt method's first virtual token).</summary>
public sealed record ClsFeatures(float[] Probabilities, float[][] Layers);

/// <summary>Batched inference that also reads every layer's first-position output, through any wrapper of the classifier (<see cref="BertInput.HiddenStatesSink"/>).</summary>
public static class LayerFeatures
{
    public static ClsFeatures[] Extract(
        nn.Module<BertInput, Tensor> model,
        TextEncoder encoder,
        IReadOnlyList<int[]> rows,
        int batchSize = Defaults.EvalBatchSize,
        string? progressLabel = null,
        CancellationToken ct = default
    )
    {
        var result = new ClsFeatures[rows.Count];
        BatchedInference.Run(model, encoder, rows, batchSize, progressLabel, ct, (idx, batch) =>
        {
            float[][][]? layers = null; // [layer][row in batch][hidden]
            var logits = model.call(
                new BertInput
                {
                    InputIds = batch.InputIds,
                    AttentionMask = batch.AttentionMask,
                    TokenTypeIds = batch.TokenTypeIds,
                    HiddenStatesSink = hs => layers = hs.Select(h => ClsRows(h, progressLabel)).ToArray(),
                }
            );
            Finite.Require(logits, progressLabel ?? "features");
            if (layers is null)
                throw new InvalidOperationException("the model did not report its hidden states");
            var probs = BatchedInference.Rows(nn.functional.softmax(logits.to(ScalarType.Float32), 1)); // [B, K]
            for (int j = 0; j < idx.Length; j++)
                result[idx[j]] = new ClsFeatures(probs[j], layers.Select(l => l[j]).ToArray());
        });
        return result;
    }

    /// <summary>Each row's [CLS] vector of one layer (h: [B, S, H] -> [B][H]), checked finite: it is what DAN's features are made of.</summary>
    private static float[][] ClsRows(Tensor h, string? progressLabel)
    {
        var cls = h[.., 0, ..]; // [B, H]
        Finite.Require(cls, $"{progressLabel ?? "features"} (hidden states)");
        return BatchedInference.Rows(cls);
    }
}
