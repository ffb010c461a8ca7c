using System.Diagnostics;
using System.Text.Json.Nodes;
using Psim.Models;
using static TorchSharp.torch;

namespace Psim.Bench;

/// <summary>
/// Forward + backward time of one MiniLM layer's attention core, softmax(q kᵀ/√d + mask) with dropout on
/// the probabilities, times v, on [32, 12, L, 32]: psim's training path against LibTorch's
/// scaled_dot_product_attention with dropout (its math path), and the fused path without dropout.
/// </summary>
internal static class AttentionBench
{
    public static void Run(int length, string? outFile, int reps = 5, long batch = 32, long heads = 12, long dim = 32, double p = 0.1)
    {
        manual_seed(3);
        MaskTimes(length, batch, heads, p);
        var variants = new (string Name, Func<Tensor, Tensor, Tensor, Tensor, Tensor> Attend)[]
        {
            ("psim", (q, k, v, m) => BertSelfAttention.Attend(q, k, v, m, p)),
            ("libtorch_sdpa_dropout", (q, k, v, m) => nn.functional.scaled_dot_product_attention(q, k, v, m, p)),
            ("fused_no_dropout", (q, k, v, m) => BertSelfAttention.Attend(q, k, v, m, 0.0)),
        };
        using var mask = zeros(batch, 1, 1, length);
        foreach (var (name, attend) in variants)
        {
            double best = double.MaxValue;
            for (int r = 0; r < reps + 1; r++)
            {
                using var scope = NewDisposeScope();
                var q = randn(batch, heads, length, dim).requires_grad_();
                var k = randn(batch, heads, length, dim).requires_grad_();
                var v = randn(batch, heads, length, dim).requires_grad_();
                var sw = Stopwatch.StartNew();
                attend(q, k, v, mask).sum().backward();
                _ = q.grad![0, 0, 0, 0].item<float>();
                if (r > 0)
                    best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"length {length}: {name}: {best * 1000:F1} ms forward + backward per layer");
            if (outFile is not null)
                File.AppendAllText(
                    outFile,
                    new JsonObject
                    {
                        ["workload"] = $"attention:{length}",
                        ["variant"] = name,
                        ["dropout"] = p,
                        ["s_per_layer"] = best,
                    }.ToJsonString() + "\n"
                );
        }
    }

    /// <summary>One dropout mask of the attention probabilities' size: LibTorch's bernoulli_ against psim's.</summary>
    private static void MaskTimes(int length, long batch, long heads, double p)
    {
        using var noise = empty(batch, heads, length, length);
        noise.bernoulli_(1 - p);
        var sw = Stopwatch.StartNew();
        noise.bernoulli_(1 - p);
        double libtorch = sw.Elapsed.TotalMilliseconds;
        using (var warm = ParallelDropout.Mask(noise.shape, p)) { }
        sw.Restart();
        using var mask = ParallelDropout.Mask(noise.shape, p);
        double psim = sw.Elapsed.TotalMilliseconds;
        Console.WriteLine(
            $"length {length}: one mask of {noise.numel():N0} elements: LibTorch bernoulli_ {libtorch:F1} ms, psim {psim:F1} ms"
        );
    }
}
