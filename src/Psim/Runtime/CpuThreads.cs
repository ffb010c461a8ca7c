namespace Psim.Runtime;

/// <summary>LibTorch's intra-op thread count for this process.</summary>
public static class CpuThreads
{
    public static void Set(int threads) => TorchSharp.torch.set_num_threads(threads);
}
