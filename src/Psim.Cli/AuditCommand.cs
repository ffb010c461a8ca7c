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
        var reference = new Option<string?>("--reference")
        {
            Description = "the clean base it claims to derive from: 'minilm' or a folder (the embedding audit)",
        };
        var texts = new Option<string?>("--texts")
        {
            Description =
                "clean texts of the task (a data file or one text per line): every vocabulary token is tried as a trigger in them (the sweep; no reference needed)",
        };
        var outFile = new Option<string?>("--out") { Description = "also write the JSON report here" };
        var json = new Option<bool>("--json") { Description = "print the JSON report instead of the summary" };
        var failOnFlag = new Option<bool>("--fail-on-flag")
        {
            Description = "exit with code 3 when the verdict is suspicious (for pipelines)",
        };
        var settings = new SettingsFlags<AuditOptions>([ModelAudit.Settings]);
        var sweep = new SettingsFlags<SweepOptions>([ModelAudit.SweepSettings]);
        var cmd = new Command(
            "audit",
            "Audit a checkpoint before adapting it: the word-embedding rows that moved far more than the rest from its clean base (--reference), the vocabulary tokens that act as triggers in clean text (--texts); a verdict and the evidence"
        )
        {
            model,
            reference,
            texts,
            outFile,
            json,
            failOnFlag,
        };
        settings.AddTo(cmd);
        sweep.AddTo(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                var report = AuditWorkflow.Run(
                    new AuditRequest
                    {
                        Model = r.GetValue(model)!,
                        Reference = r.GetValue(reference),
                        Texts = r.GetValue(texts),
                        Options = settings.Read(r, ModelAudit.Settings),
                        Sweep = sweep.Read(r, ModelAudit.SweepSettings),
                        OutFile = r.GetValue(outFile),
                        Force = r.GetValue(Cli.Force),
                    },
                    Cli.Log,
                    ct
                );
                Console.WriteLine(r.GetValue(json) ? AuditWorkflow.Json(report) : Summary(report));
                return r.GetValue(failOnFlag) && report.Verdict == AuditVerdict.Suspicious ? ExitCode.Flagged : ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static string Summary(AuditReport a)
    {
        var lines = new List<string> { $"verdict: {Vocabulary<AuditVerdict>.Name(a.Verdict)} ({a.Reason})" };
        if (a.Embeddings is { } e)
        {
            lines.Add(
                $"word embeddings: {e.MovedRows:N0} of {e.Rows:N0} rows moved from {a.Reference}; the row of rank {a.Options.Rank} moved {e.RankDrift:0.####} (of the median row norm {e.MedianRowNorm:0.####})"
            );
            lines.Add("most-moved rows:  id  token  drift  x rank-row");
            lines.AddRange(
                e.TopRows.Select(r =>
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"  {r.Id, 7}  {r.Token, -16} {r.Drift, 8:0.####} {r.Ratio, 8:0.#}{(r.Suspect ? "  suspect" : "")}"
                    )
                )
            );
        }
        if (a.Sweep is { } s)
        {
            lines.Add(
                $"sweep: {s.Candidates:N0} tokens inserted into {s.Sentences} clean sentences, the {s.Tokens.Count} most suspicious into {s.ConfirmSentences} ({s.Seconds:0} s)"
            );
            lines.Add("most collapsed tokens:  id  token  flip share (to class)  collapse");
            lines.AddRange(
                s.Tokens.Take(a.Options.RowsListed)
                    .Select(t =>
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"  {t.Id, 7}  {t.Token, -16} {(t.Flip is double f ? $"{f, 6:P0} ({t.FlipClass})" : "     -    "), 12} {t.Collapse, 8:0.###}{(t.Suspect ? "  suspect" : "")}"
                        )
                    )
            );
        }
        return string.Join('\n', lines);
    }
}
