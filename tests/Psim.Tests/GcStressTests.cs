using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Psim.Runtime;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>
/// A background thread that collects garbage without pause. Without psim's finalizer gate, a TorchSharp
/// tensor or scalar whose last .NET reference is gone while LibTorch still works on it (a temporary:
/// <c>isfinite(t.detach())</c>, the scalar of <c>x * 0.5</c>) is freed by the finalizer thread in the middle
/// of the native call: the rare "call to address 1" crash of long studies, made to happen in seconds.
/// </summary>
internal sealed class GcHammer : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public GcHammer()
    {
        _thread = new Thread(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                GC.KeepAlive(new byte[4096]);
                GC.Collect();
                GC.WaitForPendingFinalizers(); // the finalizers of what it found dead run now, while the other threads work
            }
        })
        {
            IsBackground = true,
            Name = "gc hammer",
        };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }
}

/// <summary>The finalizer gate: TorchSharp's finalizers run only where no native call of psim's is in flight.</summary>
public class FinalizerGateTests
{
    private static void BusyFor(TimeSpan t)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < t)
            Thread.SpinWait(1000);
    }

    [Fact]
    public void While_closed_a_dead_object_waits_for_the_next_safe_point()
    {
        FinalizerGate.Close();
        Assert.True(FinalizerGate.IsClosed);
        var box = TestModels.Abandon();
        GC.Collect();
        BusyFor(TimeSpan.FromMilliseconds(150)); // working, as between two safe points (a sleep would count as idle)
        Assert.False(box.Value, "the finalizer ran between two safe points");
        FinalizerGate.SafePoint();
        Assert.True(box.Value, "the safe point did not run the waiting finalizer");
        Assert.True(FinalizerGate.IsClosed, "the safe point did not close the gate again");
    }

    [Fact]
    public void Temporaries_in_native_calls_survive_continuous_collection()
    {
        using var big = randn(2000, 2000);
        double expectedHalfSum;
        using (var s = NewDisposeScope())
            expectedHalfSum = big.sum().item<float>() * 0.5;
        FinalizerGate.Close();
        using (new GcHammer())
        {
            for (int i = 0; i < 400; i++)
            {
                // outside any dispose scope, as TorchSharp's own code is: the detached view and the scalar 0.5 die at once
                long finite = isfinite(big.detach()).count_nonzero().item<long>();
                Assert.Equal(4_000_000, finite);
                Assert.Equal(expectedHalfSum, (big.detach() * 0.5).sum().item<float>(), 1);
                if (i % 10 == 9)
                    FinalizerGate.SafePoint();
            }
        }
    }

    [Fact]
    public void A_wait_for_finalizers_on_the_owner_thread_does_not_hang()
    {
        // TorchSharp's factories call GC.WaitForPendingFinalizers after a failed allocation; with the finalizer
        // thread parked that would never return unless the gate lets go of a thread that sits waiting
        long lapses = FinalizerGate.Counts.Lapses;
        var returned = new ManualResetEventSlim();
        var owner = new Thread(() =>
        {
            FinalizerGate.Close();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            returned.Set();
        });
        owner.Start();
        Assert.True(returned.Wait(TimeSpan.FromSeconds(20)), "GC.WaitForPendingFinalizers on the gate's owner did not return");
        owner.Join();
        Assert.True(FinalizerGate.Counts.Lapses > lapses);
    }
}

/// <summary>psim's commands give the same numbers, and do not crash, while the garbage collector runs all the time.</summary>
public class GcStressTests
{
    [Fact]
    public void The_attack_finetune_defence_pipeline_is_unchanged_under_continuous_garbage_collection()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var quiet = Pipeline(baseDir, dataDir);
        string stressed;
        using (new GcHammer())
            stressed = Pipeline(baseDir, dataDir);
        Assert.Equal(quiet, stressed);
    }

    /// <summary>poison, LoRA fine-tune, evaluate, merge, PSIM detector, defend evaluate: their numbers as one string.</summary>
    private static string Pipeline(string baseDir, string dataDir)
    {
        var root = TestModels.TempDir();
        string P(string name) => Path.Combine(root, name);
        string[] small = ["--max-length", "16", "--batch-size", "16"];
        Run([
            "poison",
            "--base",
            baseDir,
            "--attack",
            "badnet",
            "--data",
            dataDir,
            "--out",
            P("poisoned"),
            "--poison-count",
            "8",
            "--epochs",
            "2",
            "--lr",
            "1e-3",
            .. small,
        ]);
        Run([
            "finetune",
            "--model",
            P("poisoned"),
            "--method",
            "lora",
            "--data",
            dataDir,
            "--out",
            P("victim"),
            "--attack",
            "badnet",
            "--epochs",
            "2",
            .. small,
        ]);
        Run([
            "evaluate",
            "--model",
            P("poisoned"),
            "--adapter",
            P("victim"),
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--out",
            P("eval.json"),
            "--max-length",
            "16",
        ]);
        Run(["merge", "--model", P("poisoned"), "--adapter", P("victim"), "--out", P("merged")]);
        Run(["detector", "train", "--model", baseDir, "--data", dataDir, "--out", P("det"), .. small]);
        Run([
            "defend",
            "evaluate",
            "--model",
            P("merged"),
            "--detector",
            P("det"),
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--out",
            P("defend"),
            "--max-length",
            "16",
        ]);
        return string.Join(
            "\n",
            new[] { "poisoned/metrics.json", "victim/metrics.json", "eval.json", "defend/metrics.json" }.Select(f =>
                Numbers(File.ReadAllText(P(f)))
            )
        );
    }

    private static void Run(string[] args)
    {
        var (code, _, err) = TestCli.Psim(args);
        Assert.True(code == 0, $"psim {string.Join(' ', args)}: {err}");
    }

    /// <summary>Every number in a metrics file with its JSON path (timings dropped: they differ run to run).</summary>
    private static string Numbers(string json)
    {
        var lines = new List<string>();
        void Walk(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                        if (!p.Name.Contains("second") && !p.Name.EndsWith("_at"))
                            Walk(p.Value, $"{path}.{p.Name}");
                    break;
                case JsonValueKind.Array:
                    int i = 0;
                    foreach (var x in e.EnumerateArray())
                        Walk(x, $"{path}[{i++}]");
                    break;
                case JsonValueKind.Number:
                    lines.Add($"{path}={e.GetRawText()}");
                    break;
            }
        }
        using var doc = JsonDocument.Parse(json);
        Walk(doc.RootElement, "");
        return string.Join("\n", lines);
    }
}
