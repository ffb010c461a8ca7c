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
