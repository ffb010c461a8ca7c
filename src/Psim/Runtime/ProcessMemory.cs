using System.Runtime.InteropServices;

namespace Psim.Runtime;

/// <summary>
/// Where the process's memory is, for a server's metrics and a soak's samples: resident pages (the kernel's count),
/// the C library's heap (LibTorch's tensors: in use and free-but-kept, glibc's <c>mallinfo2</c>) and the .NET heap.
/// A resident size that grows while the native heap's in-use part stays flat is fragmentation, not a leak.
/// </summary>
public sealed record MemorySample(long ResidentBytes, long NativeInUseBytes, long NativeFreeBytes, long ManagedHeapBytes);

public static class ProcessMemory
{
    /// <summary>A sample now; a part the platform cannot tell is -1.</summary>
    public static MemorySample Sample()
    {
        var (inUse, free) = NativeHeapParts();
        return new MemorySample(ResidentBytes(), inUse, free, GC.GetGCMemoryInfo().HeapSizeBytes);
    }

    private static long ResidentBytes() => StatusBytes("VmRSS");

    /// <summary>A size field of /proc/self/status (VmRSS, VmHWM, ...), in bytes; -1 off Linux or when absent.</summary>
    public static long StatusBytes(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                    return long.Parse(
                            line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(),
                            System.Globalization.CultureInfo.InvariantCulture
                        ) * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return -1;
    }

    private static (long InUse, long Free) NativeHeapParts()
    {
        if (!OperatingSystem.IsLinux())
            return (-1, -1);
        try
        {
            var m = mallinfo2();
            // uordblks: allocated from the heaps; hblkhd: allocated by mmap (each block its own mapping); fordblks: free in the heaps
            return ((long)(m.uordblks + m.hblkhd), (long)m.fordblks);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return (-1, -1);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint arena,
            ordblks,
            smblks,
            hblks,
            hblkhd,
            usmblks,
            fsmblks,
            uordblks,
            fordblks,
            keepcost;
    }

    [DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo2 mallinfo2();
}
