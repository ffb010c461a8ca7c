using Psim.Runtime;
using static TorchSharp.torch;

namespace Psim.Tests;

public class CpuBlasTests
{
    [Fact]
    public void The_configured_matmul_is_exact_to_float32_rounding()
    {
        // the test assembly configures the BLAS path as the psim command does (AssemblySetup)
        Assert.Matches("oneMKL|LibTorch", CpuBlas.Status);
        manual_seed(11);
        using var a = randn(300, 500);
        using var b = randn(500, 200);
        using var fast = a.matmul(b);
        using var exact = a.to(ScalarType.Float64).matmul(b.to(ScalarType.Float64));
        double err = (fast.to(ScalarType.Float64) - exact).abs().max().item<double>();
        double scale = exact.abs().max().item<double>();
        Assert.True(err / scale < 1e-5, $"matmul differs from the float64 product by {err} (scale {scale}) on {CpuBlas.Status}");
    }

    [Fact]
    public void Run_records_name_the_cpu_and_the_blas_path()
    {
        var all = PsimVersion.All;
        Assert.Equal(CpuBlas.Status, all["blas"]);
        Assert.Contains("cores", all["cpu"]);
    }
}

public class NativeHeapTests
{
    /// <summary>glibc's mallinfo2: bytes the heap holds (arena), and bytes in blocks it got by mmap (hblkhd).</summary>
    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern MallInfo2 mallinfo2();

    private readonly record struct MallInfo2(
        nuint Arena,
        nuint Ordblks,
        nuint Smblks,
        nuint Hblks,
        nuint Hblkhd,
        nuint Usmblks,
        nuint Fsmblks,
        nuint Uordblks,
        nuint Fordblks,
        nuint Keepcost
    );

    [Fact]
    public void Large_tensors_come_from_the_heap_and_stay_there_for_the_next_step()
    {
        if (!OperatingSystem.IsLinux())
            return;
        Assert.Contains("keeping large blocks in one heap (one arena", NativeHeap.Status);
        // above glibc's largest mmap threshold (32 MiB): mapped on its own under default settings; below the
        // 64 MiB a per-thread arena can hold (test threads are not the main thread)
        const long bytes = 48L << 20;
        using (var t = zeros(bytes / 4))
        {
            var during = mallinfo2();
            Assert.True(
                (long)during.Hblkhd < bytes,
                $"a {bytes >> 20} MiB tensor was mapped on its own ({(long)during.Hblkhd >> 20} MiB in mmapped blocks)"
            );
            Assert.True(
                (long)during.Arena >= bytes,
                $"the heap holds {(long)during.Arena >> 20} MiB while a {bytes >> 20} MiB tensor lives"
            );
        }
        var after = mallinfo2();
        Assert.True((long)after.Arena >= bytes, $"the heap gave its memory back to the kernel ({(long)after.Arena >> 20} MiB left)");
    }

    [Fact]
    public void Trimming_hands_the_free_pages_of_the_kept_heap_back_to_the_kernel()
    {
        if (!OperatingSystem.IsLinux())
            return;
        // the size of the test above: held by the heap of whichever arena the test thread has (a block over 64 MiB,
        // the most a thread's own arena can hold, is mapped on its own there and unmapped when freed). A fence
        // allocated after it, alive until the end, keeps the freed block from joining the top of a thread's arena,
        // which malloc_trim leaves.
        const long bytes = 48L << 20;
        var t = ones(bytes / 4); // every page written, so resident
        using var fence = ones(bytes / 4);
        Assert.Equal(bytes / 4, t.sum().item<float>(), 0);
        var during = ProcessMemory.Sample();
        t.Dispose();
        var kept = ProcessMemory.Sample();
        Assert.True(
            kept.NativeFreeBytes - during.NativeFreeBytes >= bytes / 2,
            $"the heap did not keep the freed {bytes >> 20} MiB ({kept.NativeFreeBytes >> 20} MiB free)"
        );
        Assert.True(NativeHeap.Trim(), "malloc_trim released nothing");
        var trimmed = ProcessMemory.Sample();
        Assert.True(
            kept.ResidentBytes - trimmed.ResidentBytes >= bytes / 2,
            $"resident {kept.ResidentBytes >> 20} MiB before the trim, {trimmed.ResidentBytes >> 20} MiB after"
        );
        Assert.True(trimmed.ManagedHeapBytes > 0 && trimmed.NativeInUseBytes > 0);
    }

    [Fact]
    public void Run_records_name_the_heap_policy()
    {
        Assert.Equal(NativeHeap.Status, PsimVersion.All["heap"]);
    }
}

public class HugePagesTests
{
    [Fact]
    public void Huge_pages_are_asked_for_before_LibTorch_loads()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(NativeHeap.ThpVariable) is not null)
            return; // a given value is kept
        // LibTorch reads the switch once, when it loads: set too late, it is silently ignored
        Assert.Contains($"{NativeHeap.ThpVariable}=1 (huge pages", NativeHeap.Status);
    }
}
