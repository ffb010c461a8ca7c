using System.Text.Json;
using Psim.Defense.Audit;
using Psim.Defense.Repair;
using Psim.Files;

namespace Psim.Workflows;

/// <summary>What <c>psim repair</c> does: the audit's suspect rows reset to the clean base (and, if asked, a random share of every encoder weight), written as a new checkpoint folder.</summary>
public sealed record RepairRequest
{
    /// <summary>The checkpoint to repair: a Hugging Face folder ('minilm' names the built-in one).</summary>
    public required string Model { get; init; }

    /// <summary>The clean base it claims to derive from: 'minilm' or a folder.</summary>
    public required string Reference { get; init; }
    public required string OutDir { get; init; }
    public AuditOptions Options { get; init; } = new();
    public RepairOptions Repair { get; init; } = new();

    /// <summary>Replace a psim output folder of another kind; never part of run.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Force { get; init; }
}

public static class RepairWorkflow
{
    public static RepairReport Run(RepairRequest r, Action<string> log)
    {
        r.Options.Validate();
        r.Repair.Validate();
        var record = new RunRecord
        {
            Command = "repair",
            Kind = OutputKind.Repair,
            Force = r.Force,
            Request = r,
        };
        record.OpenModel("suspect", r.Model, log);
        record.OpenModel("reference", r.Reference, log);
        return record.Execute(r.OutDir, log, () =>
        {
            var report = ModelRepair.Run(r.Model, r.Reference, r.OutDir, r.Options, r.Repair, log);
            AtomicFile.WriteAllText(Path.Combine(r.OutDir, ModelRepair.ReportFile), Json(report));
            return report;
        });
    }

    /// <summary>The report as JSON (snake_case, as every file psim writes).</summary>
    public static string Json(RepairReport report) => JsonSerializer.Serialize(report, RunRecord.Json);
}
