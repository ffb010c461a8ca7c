using System.Runtime.CompilerServices;

namespace Psim.Tests;

internal static class AssemblySetup
{
    /// <summary>Tests run on the BLAS path and heap policy users get (the psim command sets them at start-up).</summary>
    [ModuleInitializer]
    internal static void ConfigureProcess() => Psim.Runtime.ProcessSetup.Configure();
}
