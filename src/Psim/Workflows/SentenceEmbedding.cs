using System.Diagnostics;
using Psim.IO;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>Sentence embeddings as sentence-transformers computes them (mean over real tokens, L2-normalised), with their cosine similarities.</summary>
public sealed record SentenceEmbeddings(
    IReadOnlyList<int> TokenCounts,
    IReadOnlyList<float[]> Embeddings,
    IReadOnlyList<float[]> Cosine,
    TimeSpan Elapsed
);

/// <summary>What <c>psim model forward</c> does: the encoder on a few sentences.</summary>
public static class SentenceEmbedding
{
    public static SentenceEmbeddings Run(string model, IReadOnlyList<string> sentences, int maxLength, Action<string> log)
    {
        var ckpt = ModelResolver.Open(model, log);
        var enc = ckpt.CreateTextEncoder(maxLength);
        using var bert = ckpt.LoadEncoder(out _);
        bert.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = enc.EncodeBatch(sentences.ToList());
        var sw = Stopwatch.StartNew();
        var o = bert.call(
            new BertInput
            {
                InputIds = batch.InputIds,
                AttentionMask = batch.AttentionMask,
                TokenTypeIds = batch.TokenTypeIds,
            }
        );
        Training.Finite.Require(o.LastHiddenState, "model forward (last hidden state)");
        var maskF = batch.AttentionMask.unsqueeze(-1).to(ScalarType.Float32); // [B, S, 1]
        var mean = (o.LastHiddenState * maskF).sum(1) / maskF.sum(1); // [B, H]
        var emb = nn.functional.normalize(mean, p: 2, dim: 1); // [B, H], sentence-transformers' embedding
        sw.Stop();
        var sims = emb.matmul(emb.t()); // [B, B] cosine
        var lengths = batch.AttentionMask.sum(1).data<long>().Select(l => (int)l).ToArray();
        return new SentenceEmbeddings(lengths, Rows(emb), Rows(sims), sw.Elapsed);
    }

    private static float[][] Rows(Tensor t) => Enumerable.Range(0, (int)t.shape[0]).Select(i => t[i].data<float>().ToArray()).ToArray();
}
