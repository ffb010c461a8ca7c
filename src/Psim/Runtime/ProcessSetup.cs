namespace Psim.Runtime;

/// <summary>The process-wide settings psim makes before any tensor work: the BLAS path, the native heap and the finalizer gate.</summary>
public static class ProcessSetup
{
    public static void Configure()
    {
        NativeHeap.Configure();
        CpuBlas.Configure();
        FinalizerGate.Close();
    }

    /// <summary>One line for logs: the CPU, the BLAS path and the heap policy.</summary>
    public static string Describe() => $"{CpuBlas.Cpu}; BLAS: {CpuBlas.Status}; heap: {NativeHeap.Status}; {FinalizerGate.Status}";
}
