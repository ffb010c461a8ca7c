using System.Diagnostics;
using static TorchSharp.torch;

namespace Psim.Bench;

/// <summary>Forward + backward time of one attention block's core (softmax(q kᵀ/√d + mask) with dropout, times v) by implementation.</summary>
internal static class AttentionBench
{
    public static void Run(int length, int reps = 5, long batch = 32, long heads = 12, long dim = 32, double p = 0.1)
    {
        manual_seed(3);
        var variants = new (string Name, Func<Tensor, Tensor, Tensor, Tensor, Tensor> Attend)[]
        {
            ("sdpa dropout (LibTorch math path)", (q, k, v, m) => nn.functional.scaled_dot_product_attention(q, k, v, m, p)),
            ("explicit: matmul, add_, softmax, dropout, matmul", (q, k, v, m) =>
            {
                var s = matmul(q * (1.0 / Math.Sqrt(dim)), k.transpose(-1, -2)); // [B, h, S, S]
                s.add_(m);
                return matmul(nn.functional.dropout(nn.functional.softmax(s, -1), p, true), v);
            }),
            ("explicit without dropout", (q, k, v, m) =>
            {
                var s = matmul(q * (1.0 / Math.Sqrt(dim)), k.transpose(-1, -2)); // [B, h, S, S]
                s.add_(m);
                return matmul(nn.functional.softmax(s, -1), v);
            }),
            ("explicit, psim's parallel dropout mask", (q, k, v, m) =>
            {
                var s = matmul(q * (1.0 / Math.Sqrt(dim)), k.transpose(-1, -2)); // [B, h, S, S]
                s.add_(m);
                var probs = nn.functional.softmax(s, -1);
                return matmul(probs * Psim.Models.ParallelDropout.Mask(probs.shape, p), v);
            }),
            ("sdpa no dropout (flash)", (q, k, v, m) => nn.functional.scaled_dot_product_attention(q, k, v, m, 0.0)),
        };
        using var mask = zeros(batch, 1, 1, length);
        using (var noise = empty(batch, heads, length, length))
        {
            noise.bernoulli_(1 - p);
            var sw0 = Stopwatch.StartNew();
            noise.bernoulli_(1 - p);
            double tb = sw0.Elapsed.TotalMilliseconds;
            sw0.Restart();
            using var r = rand_like(noise);
            double tr = sw0.Elapsed.TotalMilliseconds;
            using (var m0 = Psim.Models.ParallelDropout.Mask(noise.shape, p)) { }
            sw0.Restart();
            using var pm = Psim.Models.ParallelDropout.Mask(noise.shape, p);
            Console.WriteLine($"length {length}: bernoulli_ {tb:F1} ms, rand_like {tr:F1} ms, psim's parallel mask {sw0.Elapsed.TotalMilliseconds:F1} ms for {noise.numel():N0} elements (kept {pm.count_nonzero().item<long>() / (double)noise.numel():F4})");
        }
        foreach (var (name, attend) in variants)
        {
            double best = double.MaxValue;
            long faults = 0;
            for (int r = 0; r < reps + 1; r++)
            {
                using var scope = NewDisposeScope();
                var q = randn(batch, heads, length, dim).requires_grad_();
                var k = randn(batch, heads, length, dim).requires_grad_();
                var v = randn(batch, heads, length, dim).requires_grad_();
                var before = ProcessStats.Now();
                var sw = Stopwatch.StartNew();
                var o = attend(q, k, v, mask);
                o.sum().backward();
                _ = q.grad![0, 0, 0, 0].item<float>();
                if (r > 0) { best = Math.Min(best, sw.Elapsed.TotalSeconds); faults = (ProcessStats.Now() - before).MinorFaults; }
            }
            Console.WriteLine($"length {length}: {name}: {best * 1000:F1} ms fwd+bwd per layer ({faults} faults)");
        }
    }
}
