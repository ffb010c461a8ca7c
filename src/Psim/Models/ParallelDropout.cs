using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>
/// Dropout (each element kept with probability 1 − p and scaled by 1/(1 − p) while training; the
/// identity in evaluation), with its mask drawn in parallel. LibTorch's CPU dropout draws its mask on one
/// thread, one Mersenne Twister number per element (about 4.4 ns each on AMD: 110 ms for one layer's
/// attention probabilities at length 256, where oneMKL's vectorised generator is used only on Intel
/// CPUs). Here a counter-based generator fills the mask: element i of a draw keeps iff 32 bits of
/// splitmix64(key + ⌈(i+1)/2⌉·φ) are ≥ p·2³², where the 64-bit key is drawn from LibTorch's generator,
/// so one seed still seeds everything and a draw does not depend on the thread count.
/// </summary>
public sealed class ParallelDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _p;

    public ParallelDropout(double p)
        : base("Dropout")
    {
        if (!(p >= 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        _p = p;
        RegisterComponents();
    }

    public double P => _p;

    /// <param name="x">any shape</param>
    /// <returns>x · mask while training (mask ∈ {0, 1/(1 − p)}), else x</returns>
    public override Tensor forward(Tensor x) => training && _p > 0 ? x * Mask(x.shape, _p, x.dtype) : x;

    /// <summary>A fresh dropout mask of <paramref name="shape"/>: 0 with probability p, else 1/(1 − p).</summary>
    public static Tensor Mask(long[] shape, double p, ScalarType dtype = ScalarType.Float32)
    {
        ulong key = (ulong)randint(0, long.MaxValue, [1], ScalarType.Int64).item<long>(); // advances LibTorch's generator
        var mask = empty(shape, ScalarType.Float32);
        MaskFill.Fill(MaskFill.DataPointer(mask), mask.numel(), key, p);
        return dtype == ScalarType.Float32 ? mask : mask.to(dtype);
    }
}

/// <summary>The counter-based fill behind <see cref="ParallelDropout"/>: chunks of the mask on the thread pool, 8 lanes at a time.</summary>
internal static class MaskFill
{
    private const ulong Golden = 0x9E3779B97F4A7C15;
    private const long Chunk = 1 << 16; // elements per parallel task (even, a multiple of 8)

    public static unsafe void Fill(IntPtr data, long n, ulong key, double p)
    {
        uint threshold = (uint)Math.Min(uint.MaxValue, Math.Round(p * 4294967296.0));
        float scale = (float)(1.0 / (1.0 - p));
        float* f = (float*)data;
        if (n <= Chunk)
        {
            FillRange(f, 0, n, key, threshold, scale);
            return;
        }
        Parallel.For(0, (n + Chunk - 1) / Chunk, c => FillRange(f, c * Chunk, Math.Min(n, (c + 1) * Chunk), key, threshold, scale));
    }

    /// <summary>Elements [start, end) with start even: pair j = i/2 shares one 64-bit hash (low half even i, high half odd i).</summary>
    private static unsafe void FillRange(float* f, long start, long end, ulong key, uint threshold, float scale)
    {
        long i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            var lane = Vector256.Create(0UL, 1, 2, 3);
            var t = Vector256.Create(threshold);
            var s = Vector256.Create(scale);
            for (; i + 8 <= end; i += 8)
            {
                var counter = (Vector256.Create((ulong)(i / 2) + 1) + lane) * Golden + Vector256.Create(key);
                var bits = Mix(counter).AsUInt32(); // [lo0, hi0, lo1, hi1, ...] = elements i .. i+7
                Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(bits, t).AsSingle(), s, Vector256<float>.Zero).Store(f + i);
            }
        }
        for (; i < end; i++)
        {
            ulong h = Mix(key + ((ulong)(i / 2) + 1) * Golden);
            uint bits = (i & 1) == 0 ? (uint)h : (uint)(h >> 32);
            f[i] = bits >= threshold ? scale : 0f;
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static Vector256<ulong> Mix(Vector256<ulong> z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>The first element of a contiguous CPU tensor (LibTorchSharp's own accessor).</summary>
    public static IntPtr DataPointer(Tensor t)
    {
        if (!t.is_contiguous() || t.device_type != DeviceType.CPU)
            throw new ArgumentException("a contiguous CPU tensor is required");
        return THSTensor_data(t.Handle);
    }

    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);
}
