using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Psim.Runtime;

/// <summary>
/// The CPU psim runs on and the BLAS path LibTorch's matrix multiply takes there.
/// <para>
/// LibTorch's fp32 matmul is Intel oneMKL, linked into <c>libtorch_cpu.so</c>. oneMKL picks its kernels
/// by CPU vendor: on a non-Intel CPU its check <c>mkl_serv_intel_cpu_true</c> answers no and it runs its
/// AVX2 kernels even where AVX-512 is there (an AMD EPYC here: 210 GFLOP/s instead of 490). When the CPU
/// is not Intel but has AVX-512, psim makes that check answer yes, in its own process, before the first
/// matrix multiply: the kernels MKL then chooses are the ones it runs on Intel CPUs with the same
/// instructions (it still checks each instruction set). <c>PSIM_MKL_VENDOR_CHECK=keep</c> leaves MKL as it is.
/// </para>
/// </summary>
public static class CpuBlas
{
    public const string OptOutVariable = "PSIM_MKL_VENDOR_CHECK";
    private static readonly object Gate = new();
    private static string? _status;

    /// <summary>What was done, for logs and run.json (null until <see cref="Configure"/> runs).</summary>
    public static string Status => _status ?? "not configured";

    /// <summary>The CPU: vendor, model name and the widest vector instructions .NET sees.</summary>
    public static string Cpu => CpuDescription.Value;

    private static readonly Lazy<string> CpuDescription = new(() =>
        $"{Vendor()} {ModelName()}, {(Avx512F.IsSupported ? "AVX-512" : Avx2.IsSupported ? "AVX2" : "no AVX2")}, {Environment.ProcessorCount} cores"
    );

    /// <summary>Chooses the BLAS path once per process; call before any tensor work.</summary>
    public static string Configure()
    {
        lock (Gate)
            return _status ??= Choose();
    }

    private static string Choose()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return "LibTorch's default BLAS (the MKL vendor check is only bypassed on Linux x64)";
        if (Environment.GetEnvironmentVariable(OptOutVariable) == "keep")
            return $"oneMKL with its own CPU dispatch ({OptOutVariable}=keep)";
        if (Vendor() == "GenuineIntel")
            return "oneMKL, native dispatch (Intel CPU)";
        if (!Avx512F.IsSupported)
            return "oneMKL, its own dispatch (no AVX-512 to unlock)";
        _ = TorchSharp.torch.get_num_threads(); // loads LibTorch, and MKL with it, before looking up the check
        if (
            !NativeLibrary.TryLoad("libtorch_cpu.so", typeof(TorchSharp.torch).Assembly, null, out var lib)
            || !NativeLibrary.TryGetExport(lib, "mkl_serv_intel_cpu_true", out var check)
        )
            return "oneMKL, its own dispatch (mkl_serv_intel_cpu_true not found in libtorch_cpu.so)";
        return AnswerYes(check)
            ? "oneMKL with AVX-512 kernels (its Intel-only vendor check answered yes by psim; " + OptOutVariable + "=keep to disable)"
            : "oneMKL, its own dispatch (could not change the vendor check: mprotect failed)";
    }

    /// <summary>Overwrites the start of the check with <c>mov eax, 1; ret</c>.</summary>
    private static unsafe bool AnswerYes(IntPtr function)
    {
        ReadOnlySpan<byte> code = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3];
        long page = Environment.SystemPageSize;
        long start = (long)function & ~(page - 1);
        long length = ((long)function + code.Length - start + page - 1) & ~(page - 1);
        const int Read = 1,
            Write = 2,
            Exec = 4;
        if (mprotect((IntPtr)start, (UIntPtr)length, Read | Write | Exec) != 0)
            return false;
        code.CopyTo(new Span<byte>((void*)function, code.Length));
        mprotect((IntPtr)start, (UIntPtr)length, Read | Exec);
        return true;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(IntPtr address, UIntPtr length, int protection);

    private static string Vendor()
    {
        if (!X86Base.IsSupported)
            return RuntimeInformation.ProcessArchitecture.ToString();
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        var bytes = new byte[12];
        BitConverter.TryWriteBytes(bytes.AsSpan(0), ebx);
        BitConverter.TryWriteBytes(bytes.AsSpan(4), edx);
        BitConverter.TryWriteBytes(bytes.AsSpan(8), ecx);
        return Encoding.ASCII.GetString(bytes);
    }

    private static string ModelName()
    {
        try
        {
            var head = File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList(); // the first processor's block
            string Field(string name) =>
                head.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
            return $"{Field("model name")} (family {Field("cpu family")})";
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }
}
