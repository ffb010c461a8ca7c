using System.CommandLine;
using System.Globalization;
using Psim.Defense.Audit;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary><c>psim audit</c>: a verdict on a checkpoint against its clean base, for a person and for a pipeline.</summary>
internal static class AuditCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "the checkpoint to audit (a Hugging Face folder)", Required = true };
        var reference = new Option<string>("--reference")
        {
            Description = "the clean base it claims to derive from: 'minilm' or a folder",
            Required = true,
        };
        var outFile = new Option<string?>("--out") { Description = "also write the JSON report here" };
        var json = new Option<bool>("--json") { Description = "print the JSON report instead of the summary" };
        var failOnFlag = new Option<bool>("--fail-on-flag")
        {
            Description = "exit with code 3 when the verdict is suspicious (for pipelines)",
        };
        var settings = new SettingsFlags<AuditOptions>([ModelAudit.Settings]);
        var cmd = new Command(
            "audit",
            "Audit a checkpoint before adapting it: the word-embedding rows that moved far more than the rest from its clean base (implanted triggers), a verdict and the evidence"
        )
        {
            model,
            reference,
            outFile,
            json,
            failOnFlag,
        };
        settings.AddTo(cmd);
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                var report = AuditWorkflow.Run(
                    new AuditRequest
                    {
                        Model = r.GetValue(model)!,
                        Reference = r.GetValue(reference)!,
                        Options = settings.Read(r, ModelAudit.Settings),
                        OutFile = r.GetValue(outFile),
                        Force = r.GetValue(Cli.Force),
                    },
                    Cli.Log
                );
                Console.WriteLine(r.GetValue(json) ? AuditWorkflow.Json(report) : Summary(report));
                return r.GetValue(failOnFlag) && report.Verdict == AuditVerdict.Suspicious ? ExitCode.Flagged : ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static string Summary(AuditReport a)
    {
        var e = a.Embeddings;
        var lines = new List<string>
        {
            $"verdict: {Vocabulary<AuditVerdict>.Name(a.Verdict)} ({a.Reason})",
            $"word embeddings: {e.MovedRows:N0} of {e.Rows:N0} rows moved from {a.Reference}; the row of rank {a.Options.Rank} moved {e.RankDrift:0.####} (of the median row norm {e.MedianRowNorm:0.####})",
            "most-moved rows:  id  token  drift  x rank-row",
        };
        lines.AddRange(
            e.TopRows.Select(r =>
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {r.Id, 7}  {r.Token, -16} {r.Drift, 8:0.####} {r.Ratio, 8:0.#}{(r.Suspect ? "  suspect" : "")}"
                )
            )
        );
        return string.Join('\n', lines);
    }
}
