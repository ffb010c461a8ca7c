using System.Reflection;

namespace Psim.Runtime;

/// <summary>Versions of psim and of what it runs on, for --version and for run records.</summary>
public static class PsimVersion
{
    public static string Psim =>
        typeof(PsimVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
    public static string TorchSharp => typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(3) ?? "?";
    public const string LibTorch = "2.10.0";
    public static string Dotnet => Environment.Version.ToString();

    public static IReadOnlyDictionary<string, string> All =>
        new Dictionary<string, string>
        {
            ["psim"] = Psim,
            ["torchsharp"] = TorchSharp,
            ["libtorch"] = LibTorch,
            [".net"] = Dotnet,
            ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ["cpu"] = CpuBlas.Cpu,
            ["blas"] = CpuBlas.Status,
            ["heap"] = NativeHeap.Status,
            ["finalizers"] = FinalizerGate.Status,
        };
}
