namespace Psim.Serving;

/// <summary>How <c>psim serve</c> listens, batches and bounds its work. Defaults keep it on loopback.</summary>
public sealed record ServeOptions
{
    /// <summary>The address to bind: loopback unless a deployment says otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 takes any free one (the log line says which).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Texts per micro-batch: a batch closes when it holds this many texts...</summary>
    public int MaxBatch { get; init; } = Defaults.EvalBatchSize;

    /// <summary>...or this many milliseconds after its first request arrived.</summary>
    public int BatchWindowMs { get; init; } = 5;

    /// <summary>Requests that may wait for a batch; one more gets 503 with Retry-After (the queue never grows without bound).</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>Texts one request may carry.</summary>
    public int MaxTexts { get; init; } = 64;

    /// <summary>Characters one text may have (the model reads at most its max length in tokens anyway).</summary>
    public int MaxTextChars { get; init; } = 10_000;

    /// <summary>Bytes of one request body.</summary>
    public long MaxBodyBytes { get; init; } = 1 << 20;

    /// <summary>On SIGTERM or Ctrl-C, how long in-flight requests may take to finish before the process exits anyway.</summary>
    public int DrainSeconds { get; init; } = 30;

    /// <summary>When the live flag rate counts as parted from the calibrated FRR (a warning in the log and <c>psim_flag_rate_parted</c> in /metrics).</summary>
    public Defense.Detection.FlagRateOptions FlagRate { get; init; } = new();

    /// <summary>A one-line reason when a value cannot work, else null.</summary>
    public string? Problem() =>
        Port is < 0 or > 65535 ? $"--port {Port}: not a TCP port (0-65535)"
        : MaxBatch < 1 ? $"--max-batch {MaxBatch}: must be at least 1"
        : BatchWindowMs < 0 ? $"--batch-window-ms {BatchWindowMs}: must be 0 or more"
        : QueueCapacity < 1 ? $"--queue-capacity {QueueCapacity}: must be at least 1"
        : MaxTexts < 1 ? $"--max-texts {MaxTexts}: must be at least 1"
        : MaxTextChars < 1 ? $"--max-text-chars {MaxTextChars}: must be at least 1"
        : MaxBodyBytes < 64 ? $"--max-body-bytes {MaxBodyBytes}: must be at least 64"
        : DrainSeconds < 0 ? $"--drain-seconds {DrainSeconds}: must be 0 or more"
        : null;
}
