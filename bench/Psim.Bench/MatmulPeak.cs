using System.Diagnostics;
using static TorchSharp.torch;

namespace Psim.Bench;

/// <summary>float32 GFLOP/s of a large square matmul (best of several trials): the machine's practical ceiling for dense work.</summary>
internal static class MatmulPeak
{
    public static double Measure(int n = 2048, int trials = 5, int reps = 4, ScalarType dtype = ScalarType.Float32)
    {
        manual_seed(0);
        using var a = randn(n, n).to(dtype);
        using var b = randn(n, n).to(dtype);
        for (int i = 0; i < 3; i++)
            using (var w = a.matmul(b)) { } // warm-up: thread pool, caches, clocks
        double best = 0;
        for (int t = 0; t < trials; t++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++)
                using (var c = a.matmul(b)) { }
            sw.Stop();
            best = Math.Max(best, 2.0 * n * n * n * reps / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
