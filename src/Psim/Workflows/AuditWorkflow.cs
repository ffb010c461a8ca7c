using System.Text.Json;
using Psim.Defense.Audit;
using Psim.Files;

namespace Psim.Workflows;

/// <summary>What <c>psim audit</c> does: a verdict on a checkpoint against its clean base, before any input arrives.</summary>
public sealed record AuditRequest
{
    /// <summary>The checkpoint under audit: a Hugging Face folder ('minilm' names the built-in one).</summary>
    public required string Model { get; init; }

    /// <summary>The clean base it claims to derive from: 'minilm' or a folder (null: no embedding audit).</summary>
    public string? Reference { get; init; }

    /// <summary>Clean texts of the task the model will serve, for the vocabulary sweep: .jsonl/.json/.csv/.tsv data or one text per line (null: no sweep).</summary>
    public string? Texts { get; init; }
    public AuditOptions Options { get; init; } = new();
    public SweepOptions Sweep { get; init; } = new();

    /// <summary>Where the JSON report goes as well (null: nowhere).</summary>
    public string? OutFile { get; init; }

    /// <summary>Replace an existing --out file (never an input, a link or anything but a regular file).</summary>
    public bool Force { get; init; }
}

public static class AuditWorkflow
{
    public static AuditReport Run(AuditRequest r, Action<string> log, CancellationToken ct = default)
    {
        if (r.OutFile is { } f)
            OutputPaths.ClaimFile(f, [r.Model, r.Reference, r.Texts], r.Force);
        var texts = r.Texts is { } t ? Data.TextListReader.Read(t) : null;
        var report = ModelAudit.Run(r.Model, r.Reference, texts, r.Options, r.Sweep, log, ct);
        if (r.OutFile is { } path)
            AtomicFile.WriteAllText(path, Json(report));
        return report;
    }

    /// <summary>The report as JSON (snake_case, as every file psim writes).</summary>
    public static string Json(AuditReport report) => JsonSerializer.Serialize(report, RunRecord.Json);
}
