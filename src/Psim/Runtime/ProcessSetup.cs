namespace Psim.Runtime;

/// <summary>The process-wide settings psim makes before any tensor work: the BLAS path and the native heap.</summary>
public static class ProcessSetup
{
    public static void Configure()
    {
        NativeHeap.Configure();
        CpuBlas.Configure();
    }

    /// <summary>One line for logs: the CPU, the BLAS path and the heap policy.</summary>
    public static string Describe() => $"{CpuBlas.Cpu}; BLAS: {CpuBlas.Status}; heap: {NativeHeap.Status}";
}
