using System.CommandLine;
using Psim.Defense.Audit;
using Psim.Defense.Repair;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary><c>psim repair</c>: the rows the audit names reset to the clean base (E-PUR), written as a new checkpoint.</summary>
internal static class RepairCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "the checkpoint to repair (a Hugging Face folder)", Required = true };
        var reference = new Option<string>("--reference")
        {
            Description = "the clean base it claims to derive from: 'minilm' or a folder",
            Required = true,
        };
        var outDir = Cli.OutOption("folder for the repaired Hugging Face model (and repair.json)");
        var settings = new SettingsFlags<AuditOptions>([ModelAudit.Settings]);
        var repair = new SettingsFlags<RepairOptions>([ModelRepair.Settings]);
        var cmd = new Command(
            "repair",
            "Repair a checkpoint before adapting it: the word-embedding rows the audit names as suspect are reset to the clean base's rows (E-PUR); with --repair-reset-share, a random share of every encoder weight too (Fine-mixing); the head is written unchanged"
        )
        {
            model,
            reference,
            outDir,
        };
        settings.AddTo(cmd);
        repair.AddTo(cmd);
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                var report = RepairWorkflow.Run(
                    new RepairRequest
                    {
                        Model = r.GetValue(model)!,
                        Reference = r.GetValue(reference)!,
                        OutDir = r.GetValue(outDir)!,
                        Options = settings.Read(r, ModelAudit.Settings),
                        Repair = repair.Read(r, ModelRepair.Settings),
                        Force = r.GetValue(Cli.Force),
                    },
                    Cli.Log
                );
                Console.WriteLine(Summary(report));
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static string Summary(RepairReport r) =>
        string.Join(
            '\n',
            $"before: {Vocabulary<AuditVerdict>.Name(r.Audit.Verdict)} ({r.Audit.Reason})",
            r.ResetRows.Count == 0
                ? "reset: no row (nothing suspect; the checkpoint is written unchanged)"
                : $"reset: {string.Join(", ", r.ResetRows.Select(x => $"{x.Id} '{x.Token}'"))} to {r.Reference}",
            r.Mix is { } m
                ? $"mixed: {m.Reset:N0} of {m.Entries:N0} encoder weight entries ({m.Reset / (double)m.Entries:P1}) reset to {r.Reference}"
                : "mixed: none (--repair-reset-share 0)",
            $"after: {Vocabulary<AuditVerdict>.Name(r.AfterRepair.Verdict)} ({r.AfterRepair.Reason})",
            $"wrote {r.Out} ({ModelRepair.ReportFile}: the evidence)"
        );
}
