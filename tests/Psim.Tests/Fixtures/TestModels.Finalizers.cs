using System.Runtime.CompilerServices;

namespace Psim.Tests;

/// <summary>Objects only a finalizer frees, as TorchSharp's scalars are.</summary>
internal static partial class TestModels
{
    /// <summary>Sets its box when its finalizer runs; stands for TorchSharp's Scalars, which only the finalizer frees.</summary>
    private sealed class Abandoned(StrongBox<bool> finalized)
    {
        ~Abandoned() => finalized.Value = true;
    }

    /// <summary>A finalizable object dropped at once; the box says whether its finalizer has run.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static StrongBox<bool> Abandon()
    {
        var box = new StrongBox<bool>();
        _ = new Abandoned(box);
        return box;
    }
}
