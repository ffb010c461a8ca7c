using System.Diagnostics;

namespace Psim.Tests;

/// <summary>
/// The test process's peak resident size since the last <see cref="Reset"/> (Linux: VmHWM, reset by writing 5 to
/// /proc/self/clear_refs), so that one case's peak can be told from the whole run's. Elsewhere, the process's peak.
/// Tests of other classes run beside it, so a bound on it holds with their memory included.
/// </summary>
internal static class ProcessPeak
{
    /// <summary>The bound of issue 27: no input may make psim's peak exceed it.</summary>
    public const long Bound = 1536L << 20;

    public static void Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public static long Bytes =>
        Psim.Runtime.ProcessMemory.StatusBytes("VmHWM") is long b and >= 0 ? b : Process.GetCurrentProcess().PeakWorkingSet64;

    /// <summary>Asserts the peak since <see cref="Reset"/> stayed under <see cref="Bound"/>.</summary>
    public static void AssertUnderBound(string what)
    {
        long peak = Bytes;
        Assert.True(
            peak < Bound,
            $"peak memory {peak >> 20} MiB over {Bound >> 20} MiB during {what}: something allocated what the input asked for"
        );
    }
}
