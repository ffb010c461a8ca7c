using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Psim.Runtime;

/// <summary>
/// Finalizers run only at psim's safe points. TorchSharp frees a tensor's or a scalar's native object in
/// its .NET finalizer, and hands LibTorch the raw handle without keeping the .NET object alive for the
/// call (no <c>GC.KeepAlive</c>). A temporary whose last .NET reference is gone while LibTorch still works
/// on it — <c>isfinite(t.detach())</c> outside a dispose scope, the <c>Scalar</c> that <c>x * 0.5</c> or
/// AdamW's <c>alpha: 1 - beta1</c> makes inside TorchSharp — is then freed by the finalizer thread in the
/// middle of the native call whenever a collection happens meanwhile (any thread allocating): LibTorch reads
/// freed memory and calls through it ("call to address 1", rc 139, three times in 40-70 minute studies;
/// "tensor does not have a device" in CI), or computes with a freed scalar's value. Dispose scopes cover
/// psim's own tensors but not TorchSharp's scalars nor the temporaries inside TorchSharp.
/// <para>
/// So psim holds the finalizer thread: <see cref="Close"/> parks it inside a finalizer of psim's own, and
/// objects the collector finds dead wait in the finalization queue. <see cref="SafePoint"/> — after every
/// training step and inference batch, where no native call of psim's is in flight and every temporary of
/// the batch is dead — lets the queue drain and parks the thread again. A parked thread also goes back to
/// work by itself (a lapse, counted in <see cref="Status"/>) when the thread that last closed the gate has
/// ended or has sat in a managed wait for <see cref="IdleRelease"/> (it runs no native call then: e.g. a
/// <c>GC.WaitForPendingFinalizers</c> of TorchSharp's, which would otherwise never return), or when no safe
/// point came for <see cref="Backstop"/>; the next safe point closes the gate again.
/// </para>
/// <c>PSIM_FINALIZER_GATE=off</c> leaves finalizers to the runtime (for comparison runs only).
/// </summary>
public static class FinalizerGate
{
    public const string OptOutVariable = "PSIM_FINALIZER_GATE";
    public static readonly TimeSpan IdleRelease = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan Backstop = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private static readonly object Sync = new();
    private static Cycle? _held;
    private static Thread? _owner;
    private static long _lastSafePoint = Stopwatch.GetTimestamp();
    private static long _lapses,
        _safePoints;
    private static bool? _enabled;

    /// <summary>One park of the finalizer thread: set when it is parked, released by the next safe point.</summary>
    private sealed class Cycle
    {
        public readonly ManualResetEventSlim Parked = new(false);
        public readonly ManualResetEventSlim Released = new(false);
    }

    /// <summary>The object whose finalizer holds the finalizer thread.</summary>
    private sealed class Parker(Cycle cycle)
    {
        ~Parker() => Hold(cycle);
    }

    public static bool Enabled => _enabled ??= Environment.GetEnvironmentVariable(OptOutVariable) != "off";

    /// <summary>Whether the finalizer thread is parked now.</summary>
    public static bool IsClosed
    {
        get
        {
            lock (Sync)
                return _held is { } c && c.Parked.IsSet && !c.Released.IsSet;
        }
    }

    /// <summary>For logs and run.json.</summary>
    public static string Status =>
        Enabled ? $"finalizers run at safe points only; {OptOutVariable}=off to disable" : $"finalizers run freely ({OptOutVariable}=off)";

    /// <summary>Safe points passed and lapses (the parked thread let go without one) since the process started.</summary>
    public static GateCounts Counts => new(Interlocked.Read(ref _safePoints), Interlocked.Read(ref _lapses));

    /// <summary>Parks the finalizer thread, the calling thread becoming the gate's owner. Does nothing when already closed.</summary>
    public static void Close()
    {
        if (!Enabled)
            return;
        Cycle cycle;
        lock (Sync)
        {
            _owner = Thread.CurrentThread;
            Volatile.Write(ref _lastSafePoint, Stopwatch.GetTimestamp());
            if (_held is not null)
                return;
            _held = cycle = new Cycle();
        }
        Plant(cycle);
        // the parker is dead as soon as Plant returns; a young-generation collection queues it
        for (int attempt = 0; attempt < 40 && !cycle.Parked.Wait(attempt == 0 ? 0 : 5); attempt++)
            GC.Collect(attempt < 20 ? 0 : GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
    }

    /// <summary>
    /// Call between batches, with no tensor of the batch referenced any more: finalizers queued since the
    /// last safe point run now (with a young-generation collection first, so that the batch's native scalars
    /// are freed before the next batch's large blocks are allocated), then the gate closes again.
    /// </summary>
    public static void SafePoint()
    {
        Interlocked.Increment(ref _safePoints);
        Open();
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        Close();
    }

    /// <summary>Lets the finalizer thread go (the next <see cref="Close"/> or safe point parks it again).</summary>
    public static void Open()
    {
        Cycle? cycle;
        lock (Sync)
        {
            cycle = _held;
            _held = null;
        }
        cycle?.Released.Set();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Plant(Cycle cycle) => _ = new Parker(cycle);

    /// <summary>Runs on the finalizer thread: stays until released or a lapse.</summary>
    private static void Hold(Cycle cycle)
    {
        cycle.Parked.Set();
        int waitingPolls = 0;
        int needed = (int)Math.Ceiling(IdleRelease / Poll);
        while (!cycle.Released.Wait(Poll))
        {
            var owner = Volatile.Read(ref _owner);
            waitingPolls =
                owner is not null && owner.IsAlive && (owner.ThreadState & System.Threading.ThreadState.WaitSleepJoin) == 0
                    ? 0
                    : waitingPolls + 1;
            bool stale = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastSafePoint)) > Backstop;
            if (waitingPolls >= needed || stale)
            {
                lock (Sync)
                    if (_held == cycle)
                        _held = null;
                Interlocked.Increment(ref _lapses);
                return;
            }
        }
    }
}

/// <summary>
/// Safe points the finalizer gate passed and its lapses: times the parked finalizer thread let go without a safe
/// point (the owner waited, ended, or passed none for <see cref="FinalizerGate.Backstop"/>), for run.json.
/// </summary>
public sealed record GateCounts(long SafePoints, long Lapses)
{
    public GateCounts Since(GateCounts start) => new(SafePoints - start.SafePoints, Lapses - start.Lapses);
}
