using System.Globalization;
using System.Text;
using Psim.Files;
using Psim.IO;
using Psim.Workflows;

namespace Psim.Study;

/// <summary>
/// <c>psim results</c>: the Markdown tables of the run folders under some folders (poisoned models, victims, PSIM's
/// defence, the baselines), read from their typed result files (<see cref="ResultFiles"/>), one table per kind of run,
/// one row per finished run. A folder psim did not write, or one still running or failed, is listed, not read.
/// </summary>
public static class RunResults
{
    /// <summary>How deep below each given folder run folders are looked for (a study's steps sit two levels down).</summary>
    public const int SearchDepth = 3;

    public static string Markdown(IReadOnlyList<string> roots)
    {
        var runs = roots.SelectMany(r => Find(r, r, SearchDepth)).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var md = new StringBuilder();
        Table(md, "Poisoned models (psim poison)", runs, OutputKind.Poison, PoisonHeader, d => PoisonRow(ResultFiles.Poison.Read(d)));
        Table(md, "Victims (psim finetune)", runs, OutputKind.Finetune, VictimHeader, d => VictimRow(ResultFiles.Finetune.Read(d)));
        Table(md, "PSIM (psim defend evaluate)", runs, OutputKind.DefendEvaluate, DefenseHeader, d =>
            DefenseRow(ResultFiles.Defense.Read(d))
        );
        Table(md, "Baseline defences (psim defend baselines)", runs, OutputKind.DefendBaselines, BaselineHeader, d =>
            (ResultFiles.Baselines.Read(d) ?? []).Select(BaselineRow).ToList()
        );
        var unread = runs.Where(r => r.Skipped is not null).ToList();
        if (unread.Count > 0)
            md.AppendLine("Not read: " + string.Join("; ", unread.Select(r => $"{r.Name} ({r.Skipped})")) + ".").AppendLine();
        if (md.Length == 0)
            throw new PsimException($"no psim run folders under {string.Join(", ", roots)}");
        return md.ToString();
    }

    private sealed record Run(string Name, string Dir, OutputKind? Kind, string? Skipped);

    private static IEnumerable<Run> Find(string root, string dir, int depth)
    {
        if (!Directory.Exists(dir))
            throw new PsimException($"{dir}: folder not found");
        var kind = OutputFolder.KindOf(dir);
        var name = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(root).TrimEnd('/')) ?? "/", Path.GetFullPath(dir));
        if (kind is not null and not OutputKind.Study)
        {
            yield return new Run(name, dir, kind, Status(dir));
            yield break;
        }
        if (depth == 0)
            yield break;
        foreach (var sub in Directory.EnumerateDirectories(dir).Where(d => !FilePaths.IsSymbolicLink(d)))
        foreach (var run in Find(root, sub, depth - 1))
            yield return run;
    }

    /// <summary>Why a run's results are not read (null: finished, or interrupted with its last complete checkpoint).</summary>
    private static string? Status(string dir) =>
        RunFile.StatusOf(dir) switch
        {
            RunStatus.Running => "run.json says running: still running, or killed",
            RunStatus.Failed => "run.json says failed",
            _ => null,
        };

    private static void Table(
        StringBuilder md,
        string title,
        IReadOnlyList<Run> runs,
        OutputKind kind,
        string header,
        Func<string, IReadOnlyList<string>> rows
    )
    {
        var of = runs.Where(r => r.Kind == kind && r.Skipped is null).ToList();
        if (of.Count == 0)
            return;
        md.AppendLine($"### {title}").AppendLine().AppendLine(header);
        md.AppendLine(
            "|" + string.Concat(header.Split('|', StringSplitOptions.RemoveEmptyEntries).Select((_, i) => i < 2 ? "---|" : "---:|"))
        );
        foreach (var run in of)
        foreach (var row in rows(run.Dir))
            md.AppendLine($"| {run.Name} | {row} |");
        md.AppendLine();
    }

    private const string PoisonHeader =
        "| run | attack | data | poisoned rows | best epoch | CA | ASR | per epoch: selection / dev CA / dev ASR |";

    private static IReadOnlyList<string> PoisonRow(PoisonMetrics? m) =>
        m is null
            ? []
            :
            [
                $"{m.Attack} | {m.Data} | {m.PoisonedRows} of {m.TrainRows} | {m.BestEpoch} | {Pct(m.CleanAccuracy)} | {Pct(m.AttackSuccessRate)} | "
                    + string.Join(
                        "; ",
                        m.Epochs.Select(e =>
                            $"{e.Epoch}: {Pct(e.DevScore)} / {Pct(Dev(e, "dev_clean_accuracy"))} / {Pct(Dev(e, "dev_attack_success_rate"))}"
                        )
                    ),
            ];

    private const string VictimHeader = "| run | method | attack | data | trainable parameters | best epoch | CA | ASR |";

    private static IReadOnlyList<string> VictimRow(FinetuneMetrics? m) =>
        m is null
            ? []
            :
            [
                $"{Vocabulary<Peft.TuningMethod>.Name(m.Method)} | {m.Attack ?? "none"} | {m.Data} | {m.TrainableParameters.ToString("N0", CultureInfo.InvariantCulture)} | "
                    + $"{m.BestEpoch} | {Pct(m.CleanAccuracy)} | {Pct(m.AttackSuccessRate)}",
            ];

    private const string DefenseHeader = "| run | attack | threshold | CA | CA with PSIM | ASR | ASR with PSIM | FRR | FAR | AUROC |";

    private static IReadOnlyList<string> DefenseRow(DefenseReport? d) =>
        d is null
            ? []
            :
            [
                $"{d.Attack} | {d.Threshold.ToString("F4", CultureInfo.InvariantCulture)} ({Vocabulary<Defense.Psim.ThresholdMode>.Name(d.ThresholdHow)}) | "
                    + $"{Pct(d.CleanAccuracy)} | {Pct(d.DefendedCleanAccuracy)} | {Pct(d.AttackSuccessRate)} | {Pct(d.DefendedAttackSuccessRate)} | {Pct(d.Frr)} | {Pct(d.Far)} | "
                    + d.Auroc.ToString("F4", CultureInfo.InvariantCulture),
            ];

    private const string BaselineHeader = "| run | defence | setting | CA | ASR | FRR | FAR | AUROC | protocol row |";

    private static string BaselineRow(BaselineResult b) =>
        $"{b.Defense} | {b.Setting} | {Pct(b.CleanAccuracy)} | {Pct(b.AttackSuccessRate)} | {Pct(b.Frr)} | {Pct(b.Far)} | "
        + $"{b.Auroc?.ToString("F4", CultureInfo.InvariantCulture) ?? "n/a"} | {(b.Selected == false ? "no" : "yes")}";

    private static double? Dev(Training.EpochLog e, string key) => e.Dev.TryGetValue(key, out var v) ? v : null;

    /// <summary>A rate as a percentage with two decimals; n/a where the run has none.</summary>
    private static string Pct(double? v) => v is double x ? (100 * x).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
}
