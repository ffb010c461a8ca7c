using System.Diagnostics;
using Psim.Data;
using Psim.IO;
using Psim.Models;
using static TorchSharp.torch;

namespace Psim.Bench;

/// <summary>MiniLM inference throughput on real sentences, and the FLOP rate it achieves.</summary>
internal static class ForwardBench
{
    public sealed record Result(
        string Order,
        int Sentences,
        int BatchSize,
        double Seconds,
        double SentencesPerSecond,
        double GFlops,
        long PaddedTokens,
        long RealTokens
    );

    /// <summary>Forward FLOPs of a BERT encoder over a [B, S] batch (multiply-add = 2 FLOPs; attention included, softmax/LayerNorm not).</summary>
    public static double Flops(BertConfig c, long b, long s)
    {
        double h = c.HiddenSize,
            i = c.IntermediateSize;
        double perTokenPerLayer = 2 * (4 * h * h + 2 * h * i) + 2 * 2 * s * h;
        return b * s * c.NumHiddenLayers * perTokenPerLayer + 2 * b * h * h; // + pooler
    }

    public static Result Run(HfCheckpoint ckpt, IReadOnlyList<string> texts, int batchSize, bool sortByLength, int maxLength)
    {
        var enc = ckpt.CreateTextEncoder(maxLength);
        using var bert = ckpt.LoadEncoder(out _);
        bert.eval();
        var rows = texts.Select(enc.Encode).ToList();
        if (sortByLength)
            rows = rows.OrderBy(r => r.Length).ToList();
        using var noGrad = no_grad();
        // warm-up on one batch
        using (var scope = NewDisposeScope())
        using (var warm = enc.Pad(rows.Take(batchSize).ToList()))
            bert.call(new BertInput { InputIds = warm.InputIds, AttentionMask = warm.AttentionMask });

        double flops = 0;
        long padded = 0,
            real = 0;
        var sw = Stopwatch.StartNew();
        for (int start = 0; start < rows.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var chunk = rows.Skip(start).Take(batchSize).ToList();
            using var batch = enc.Pad(chunk);
            var o = bert.call(
                new BertInput
                {
                    InputIds = batch.InputIds,
                    AttentionMask = batch.AttentionMask,
                    TokenTypeIds = batch.TokenTypeIds,
                }
            );
            _ = o.PooledOutput[0, 0].item<float>(); // force completion inside the scope
            flops += Flops(ckpt.Config, batch.InputIds.shape[0], batch.InputIds.shape[1]);
            padded += batch.InputIds.numel();
            real += chunk.Sum(r => r.Length);
        }
        sw.Stop();
        double secs = sw.Elapsed.TotalSeconds;
        return new Result(
            sortByLength ? "length-sorted" : "file order",
            rows.Count,
            batchSize,
            secs,
            rows.Count / secs,
            flops / secs / 1e9,
            padded,
            real
        );
    }
}
