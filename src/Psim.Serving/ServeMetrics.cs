using Prometheus;
using Psim.Defense.Detection;
using Psim.Runtime;

namespace Psim.Serving;

/// <summary>What <c>GET /metrics</c> exposes (Prometheus text format, prometheus-net), on a registry of the server's own.</summary>
public sealed class ServeMetrics
{
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();
    public Counter Requests { get; }
    public Counter Texts { get; }
    public Counter Rejections { get; }
    public Histogram BatchSize { get; }
    public Histogram Latency { get; }
    public Gauge QueueDepth { get; }
    public Counter HeapTrims { get; }
    private readonly Gauge _flagRate;
    private readonly Gauge _memory;
    private readonly Gauge _gate;

    public ServeMetrics()
    {
        var f = Metrics.WithCustomRegistry(Registry);
        Requests = f.CreateCounter("psim_requests_total", "HTTP requests by endpoint and status code", "endpoint", "status");
        Texts = f.CreateCounter("psim_texts_total", "texts classified (accepted or rejected)");
        Rejections = f.CreateCounter("psim_rejections_total", "texts PSIM rejected (confidence above the threshold)");
        BatchSize = f.CreateHistogram(
            "psim_batch_size",
            "texts per micro-batch",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 9) }
        );
        Latency = f.CreateHistogram(
            "psim_classify_seconds",
            "time from a classify request's arrival to its answer",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 15) }
        );
        QueueDepth = f.CreateGauge("psim_queue_depth", "requests waiting for a batch");
        HeapTrims = f.CreateCounter(
            "psim_native_heap_trims_total",
            "times the inference worker handed free native heap pages back to the kernel"
        );
        _flagRate = f.CreateGauge(
            "psim_flag_rate",
            "the share of the latest texts PSIM flagged (observed), the FRR its threshold was calibrated for (expected, absent when not calibrated), and 1 when they parted",
            "value"
        );
        _memory = f.CreateGauge(
            "psim_memory_bytes",
            "the process's memory when scraped (ProcessMemory): resident, native heap in use and free, managed heap",
            "part"
        );
        _gate = f.CreateGauge(
            "psim_finalizer_gate",
            "the finalizer gate since start: safe points passed, and lapses (finalizers let run without a safe point)",
            "count"
        );
        Registry.AddBeforeCollectCallback(SampleMemory);
    }

    /// <summary>The live flag rate against the calibrated one, as the latest check found them.</summary>
    public void FlagRate(FlagRateCheck c)
    {
        _flagRate.WithLabels("observed").Set(c.Rate);
        if (c.Expected is double e)
            _flagRate.WithLabels("expected").Set(e);
        _flagRate.WithLabels("parted").Set(c.Parted ? 1 : 0);
    }

    private void SampleMemory()
    {
        var m = ProcessMemory.Sample();
        _memory.WithLabels("resident").Set(m.ResidentBytes);
        _memory.WithLabels("native_in_use").Set(m.NativeInUseBytes);
        _memory.WithLabels("native_free").Set(m.NativeFreeBytes);
        _memory.WithLabels("managed_heap").Set(m.ManagedHeapBytes);
        var gate = FinalizerGate.Counts;
        _gate.WithLabels("safe_points").Set(gate.SafePoints);
        _gate.WithLabels("lapses").Set(gate.Lapses);
    }
}
