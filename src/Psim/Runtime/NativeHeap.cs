using System.Runtime.InteropServices;

namespace Psim.Runtime;

/// <summary>
/// How LibTorch's tensor memory is obtained. LibTorch allocates CPU tensors with the C library's
/// malloc; glibc serves large blocks with a fresh mmap and unmaps them on free, so every training step
/// faults its activations in again, 4 KiB page by page (millions of minor faults per run, 40% of the
/// CPU time in the kernel at length 128-256). psim, in its own process and before LibTorch loads:
/// <list type="bullet">
/// <item>asks glibc to keep large blocks in its heap and never trim it, so freed activations are reused by
/// later steps. The heap stays at its peak until the process ends;</item>
/// <item>sets <c>C10_THP_MEM_ALLOC_ENABLE=1</c> unless the environment sets it, so LibTorch aligns
/// blocks of 2 MiB and more to huge pages and advises the kernel to back them with them;</item>
/// <item>asks glibc for one arena: every thread allocates from the main heap. glibc otherwise gives each thread
/// that allocates an arena of its own (up to 16 on 2 cores), and a server whose batches run on whichever pool
/// thread is free grew one arena after another to a batch's working set and kept them all: `psim serve` at 32
/// clients went from 2.1 to 2.75 GB in 3.5 minutes, in 20 arena heaps of up to 128 MiB
/// (docs/soak/serve-before.jsonl). LibTorch's tensor work runs on one thread at a time, so the one lock costs nothing.</item>
/// </list>
/// <c>PSIM_NATIVE_HEAP=default</c> leaves all of it as it is. Loops that free large tensors every batch
/// end it at a <see cref="FinalizerGate.SafePoint"/>, which frees the small native objects left to the
/// finalizer (TorchSharp's scalars: about a thousand per MiniLM training step) so that they do not pin the
/// holes those tensors leave (left to the GC they lived for ten steps, and the next step's large blocks no
/// longer fit: at length 256, 25-120 thousand page faults, +0.3-0.6 s, in most steps).
/// </summary>
public static class NativeHeap
{
    public const string OptOutVariable = "PSIM_NATIVE_HEAP";
    public const string ThpVariable = "C10_THP_MEM_ALLOC_ENABLE";
    private const int TrimThreshold = -1,
        TopPad = -2,
        MmapMax = -4,
        ArenaMax = -8; // glibc's mallopt parameters (malloc.h)
    private static readonly object Gate = new();
    private static string? _status;

    /// <summary>What was done, for logs and run.json ("not configured" until <see cref="Configure"/> runs).</summary>
    public static string Status => _status ?? "not configured";

    /// <summary>Sets the heap policy once per process; call before LibTorch loads.</summary>
    public static string Configure()
    {
        lock (Gate)
            return _status ??= Choose();
    }

    private static string Choose()
    {
        if (!OperatingSystem.IsLinux())
            return "the C library's default allocator (heap settings are only changed on Linux)";
        if (Environment.GetEnvironmentVariable(OptOutVariable) == "default")
            return $"glibc malloc, default settings ({OptOutVariable}=default)";
        try
        {
            bool kept =
                mallopt(MmapMax, 0) == 1 // no mmap per large block: large tensors come from the heap
                & mallopt(TrimThreshold, -1) == 1 // -1: never hand the heap's top back to the kernel (int.MaxValue would trim above 2 GiB)
                & mallopt(TopPad, 64 << 20) == 1 // grow the heap 64 MiB at a time
                & mallopt(ArenaMax, 1) == 1; // one arena: the main heap, whichever thread allocates
            string heap = kept
                ? "glibc malloc keeping large blocks in one heap (one arena, no per-block mmap, no trimming)"
                : "glibc malloc, default settings (mallopt refused)";
            return $"{heap}; {HugePages()}; {OptOutVariable}=default to disable";
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return "the C library's default allocator (no glibc mallopt)";
        }
    }

    /// <summary>LibTorch reads its huge-page switch from the native environment once, when it loads.</summary>
    private static string HugePages()
    {
        string? given = Marshal.PtrToStringUTF8(getenv(ThpVariable));
        if (given is not null)
            return $"{ThpVariable}={given} as given";
        if (LibTorchLoaded())
            return $"{ThpVariable} not set: LibTorch was loaded before psim's set-up (no huge pages)";
        return setenv(ThpVariable, "1", 0) == 0
            ? $"{ThpVariable}=1 (huge pages for blocks of 2 MiB and more)"
            : $"{ThpVariable} could not be set";
    }

    private static bool LibTorchLoaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Any(l => l.EndsWith("/libc10.so", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Hands the free pages inside the heap back to the kernel (glibc's <c>malloc_trim</c>: the heap keeps its
    /// blocks, their unused pages stop being resident). For a long-lived server, whose batches of every size from
    /// one text to a full batch leave holes that no later block fills exactly: kept, they grew its resident size
    /// without bound (docs/soak). Training never calls it (its steps reuse the same blocks). True when pages were released.
    /// </summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return malloc_trim(0) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr getenv(string name);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int parameter, int value);
}
