using System.Runtime.CompilerServices;

namespace Psim.Tests;

internal static class AssemblySetup
{
    /// <summary>Tests run on the BLAS path users get (the psim command configures it at start-up).</summary>
    [ModuleInitializer]
    internal static void ConfigureBlas() => Psim.Runtime.CpuBlas.Configure();
}
