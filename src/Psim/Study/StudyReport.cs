using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.Attacks;
using Psim.Defense;
using Psim.Files;
using Psim.IO;
using Psim.Peft;
using Psim.Runtime;
using Psim.Workflows;
using ScottPlot;

namespace Psim.Study;

/// <summary>
/// The study's report: <c>results.json</c> (every number), <c>report.md</c>, a self-contained
/// <c>report.html</c> (figures inlined), and the figures as PNG files under <c>figures/</c>.
/// </summary>
public static class StudyReport
{
    /// <summary>A victim's results and the folder of its PSIM evaluation (for the confidence and ROC figures).</summary>
    private sealed record Row(VictimResult Result, string? PsimDir, string? BaselinesDir)
    {
        public string Pair => Result.Pair;
        public string Attack => Result.Attack;
        public string Strategy => Result.Strategy.Name();
        public FinetuneMetrics? Victim => Result.Victim;
        public DefenseReport? PsimFixed => Result.PsimFixed;
        public DefenseReport? PsimCalibrated => Result.PsimCalibrated;
        public List<BaselineResult>? Baselines => Result.Baselines;
    }

    public static void Write(string outDir, StudyConfig config, IReadOnlyList<StepRecord> steps, TimeSpan wall)
    {
        var poisons = steps.Select(s => s.Step).Where(s => s.Kind == StepKind.Poison).Select(PoisonResult).ToList();
        var rows = steps.Select(s => s.Step).Where(s => s.Kind == StepKind.Victim).Select(v => VictimRow(v, steps)).ToList();
        var figures = Path.Combine(outDir, "figures");
        Directory.CreateDirectory(figures);
        var figureFiles = new List<(string Title, string File)>();
        foreach (var pair in rows.Select(r => r.Pair).Distinct())
        {
            var f = Path.Combine(figures, $"ca-asr-{Safe(pair)}.png");
            CaAsrBars(f, pair, rows.Where(r => r.Pair == pair).ToList());
            figureFiles.Add(($"CA and ASR of the victims, {pair}", f));
            foreach (var attack in rows.Where(r => r.Pair == pair).Select(r => r.Attack).Distinct())
            {
                var byEpoch = Path.Combine(figures, $"asr-by-epoch-{Safe(pair)}-{attack}.png");
                if (AsrThroughTraining(byEpoch, pair, attack, rows.Where(r => r.Pair == pair && r.Attack == attack).ToList()))
                    figureFiles.Add(
                        (
                            $"Dev ASR after each epoch of the victims' training (the kept epoch is chosen on clean dev alone), {pair}, {attack}",
                            byEpoch
                        )
                    );
            }
            foreach (var attack in rows.Where(r => r.Pair == pair).Select(r => r.Attack).Distinct())
            {
                var curves = Path.Combine(figures, $"psim-thresholds-{Safe(pair)}-{attack}.png");
                if (
                    ThresholdCurves(
                        curves,
                        pair,
                        attack,
                        rows.Where(r => r.Pair == pair && r.Attack == attack && r.Result.Seed == rows[0].Result.Seed).ToList()
                    )
                )
                    figureFiles.Add(
                        ($"PSIM: clean FRR and each victim's ASR at every threshold, {pair}, {attack} (seed {rows[0].Result.Seed})", curves)
                    );
            }
            var roc = Path.Combine(figures, $"roc-{Safe(pair)}.png");
            if (RocCurves(roc, pair, rows.Where(r => r.Pair == pair).ToList()))
                figureFiles.Add(($"PSIM ROC curves, {pair}", roc));
            foreach (
                var r in rows.Where(r =>
                    r.Pair == pair && r.BaselinesDir is not null && File.Exists(Path.Combine(r.BaselinesDir, "roc.png"))
                )
            )
            {
                var dst = Path.Combine(figures, $"detectors-{Safe(pair)}-{r.Attack}-{r.Strategy}.png");
                File.Copy(Path.Combine(r.BaselinesDir!, "roc.png"), dst, overwrite: true);
                figureFiles.Add(($"Detectors' ROC curves, {pair}, {r.Attack}, {r.Strategy} victim", dst));
            }
            foreach (var attack in rows.Where(r => r.Pair == pair).Select(r => r.Attack).Distinct())
            {
                var src = rows.FirstOrDefault(r => r.Pair == pair && r.Attack == attack && r.PsimDir is not null)?.PsimDir;
                if (src is null || !File.Exists(Path.Combine(src, "confidence.png")))
                    continue;
                var dst = Path.Combine(figures, $"confidence-{Safe(pair)}-{attack}.png");
                File.Copy(Path.Combine(src, "confidence.png"), dst, overwrite: true);
                figureFiles.Add(($"PSIM confidence, {pair}, {attack}", dst));
            }
        }

        var time = new StudyTime(
            wall.TotalSeconds,
            steps.Where(s => s.Step.Skipped is null).Sum(s => StepCache.Done.Read(s.Step.Dir)?.Seconds ?? 0),
            steps.Count(s => s.Ran),
            steps.Count(s => !s.Ran && s.Step.Skipped is null)
        );
        new StudyResults(
            config,
            PsimVersion.All,
            wall.TotalSeconds,
            time.StepSeconds,
            time.Ran,
            time.Cached,
            poisons,
            rows.Select(r => r.Result).ToList()
        ).Write(outDir);

        var md = Markdown(config, poisons, rows, time, figureFiles, outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.md"), md);
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.html"), Html(md, figureFiles, outDir));
    }

    private static string Safe(string s) => s.Replace("->", "-to-").Replace('/', '-');

    /// <summary>Table cells over a study's seeds (<paramref name="Seeds"/>: how many; fewer values get an "(n=k)" mark).</summary>
    private sealed record Cells(int Seeds)
    {
        /// <summary>"mean ± sd" (percent by default); "–" when no seed has the value.</summary>
        public string S(IEnumerable<double?> values, double scale = 100, string format = "F1") =>
            SeedSpread.Of(values)?.Format(Seeds, scale, format) ?? "–";

        public string CaAsr(IEnumerable<Row> g, Func<Row, double?> ca, Func<Row, double?> asr) => $"{S(g.Select(ca))} / {S(g.Select(asr))}";
    }

    /// <summary>The victims grouped over seeds: one group per pair, attack and strategy, in plan order.</summary>
    private static IEnumerable<IGrouping<(string Pair, string Attack, string Strategy), Row>> BySetting(IEnumerable<Row> rows) =>
        rows.GroupBy(r => (r.Pair, r.Attack, r.Strategy));

    private static PoisonedModelResult PoisonResult(PlannedStep s) =>
        new(
            s.Pair.Name,
            Vocabulary<AttackKind>.Name(s.Attack),
            s.Seed,
            s.Skipped,
            s.Skipped is null ? ResultFiles.Poison.Read(s.Dir) : null
        );

    /// <summary>A victim step with the results of the defence steps planned on the same victim.</summary>
    private static Row VictimRow(PlannedStep victim, IReadOnlyList<StepRecord> steps)
    {
        string? DirOf(StepKind kind) =>
            steps.Select(s => s.Step).FirstOrDefault(s => s.Kind == kind && s.SameVictim(victim) && s.Skipped is null)?.Dir;
        T? Load<T>(ResultFile<T> file, StepKind kind)
            where T : class => DirOf(kind) is { } dir ? file.Read(dir) : null;
        var result = new VictimResult(
            victim.Pair.Name,
            Vocabulary<AttackKind>.Name(victim.Attack),
            victim.Strategy!.Value,
            victim.Seed,
            ResultFiles.Finetune.Read(victim.Dir),
            Load(ResultFiles.Defense, StepKind.PsimFixed),
            Load(ResultFiles.Defense, StepKind.PsimCalibrated),
            Load(ResultFiles.Baselines, StepKind.Baselines)
        );
        return new Row(result, DirOf(StepKind.PsimCalibrated) ?? DirOf(StepKind.PsimFixed), DirOf(StepKind.Baselines));
    }

    /// <summary>This invocation's wall time, the summed time of every finished step (including cached ones, run before), and the step counts.</summary>
    private sealed record StudyTime(double WallSeconds, double StepSeconds, int Ran, int Cached);

    private static string Markdown(
        StudyConfig c,
        IReadOnlyList<PoisonedModelResult> poisons,
        List<Row> rows,
        StudyTime time,
        List<(string Title, string File)> figures,
        string outDir
    )
    {
        var sb = new StringBuilder();
        var f = new Cells(c.Seeds.Count);
        Intro(sb, c, time);
        PoisonTable(sb, f, poisons);
        VictimTables(sb, f, rows);
        DefenceTable(sb, f, rows);
        DetectorComparison(sb, f, rows);
        DetectionTable(sb, f, rows);
        PaperClaims.Markdown(sb, rows.Select(r => r.Result).ToList(), c.Seeds.Count);
        FigureList(sb, figures, outDir);
        return sb.ToString();
    }

    private static void Intro(StringBuilder sb, StudyConfig c, StudyTime time)
    {
        sb.AppendLine("# psim study report");
        sb.AppendLine();
        sb.AppendLine(
            $"Base model `{c.BaseModel}`; task pairs {string.Join(", ", c.TaskPairs.Select(p => p.Name))}; attacks {string.Join(", ", c.Attacks.Select(Vocabulary<AttackKind>.Name))}; "
                + $"strategies {string.Join(", ", c.Strategies.Select(m => m.Name()))}; defences {string.Join(", ", c.Defenses.Select(Vocabulary<DefenseKind>.Name))}; seeds {string.Join(", ", c.Seeds)}. "
                + $"Poisoning: {c.Poison.Epochs} epoch(s), max length {c.Poison.MaxLength}{Rows(c.Poison.TrainRows, c.Poison.EvalRows)}. "
                + $"Victims: {c.Victim.Epochs} epoch(s) (the reference uses 20), lr {c.Victim.FullLearningRate} full / {c.Victim.PeftLearningRate} PEFT, max length {c.Victim.MaxLength}{Rows(c.Victim.TrainRows, c.Victim.EvalRows)}. "
                + $"PSIM: {c.Psim.Method.Name()}, {c.Psim.Epochs} epoch(s), lr {c.Psim.LearningRate}, threshold {c.Psim.Threshold} and calibrated to {c.Psim.TargetFrr:P0} FRR on clean dev."
        );
        sb.AppendLine();
        sb.AppendLine(
            (
                time.Ran == 0
                    ? $"Every step was found in the cache; this invocation only rewrote the report. "
                    : $"Wall time of this invocation: {time.WallSeconds / 60:F1} min ({time.Ran} steps run, {time.Cached} taken from the cache). "
            )
                + $"The finished steps took {time.StepSeconds / 60:F1} min in all, summed over the invocations that ran them (each step's time is in its step.json). All numbers are percentages. "
                + (
                    c.Seeds.Count > 1
                        ? $"Each cell is the mean ± sample standard deviation over the {c.Seeds.Count} seeds (each seed drives its whole chain: poisoning, victim, detector, defences); \"(n=k)\" marks a cell fewer seeds reached; results.json has every seed's value. "
                        : ""
                )
                + "CA counts a rejected clean input as wrong; ASR counts a rejected triggered input as a failed attack; FRR and FAR as in docs/metrics.md."
        );
        sb.AppendLine();
    }

    private static void PoisonTable(StringBuilder sb, Cells f, IReadOnlyList<PoisonedModelResult> poisons)
    {
        sb.AppendLine("## Poisoned models (proxy test set)");
        sb.AppendLine();
        sb.AppendLine("| pair | attack | seeds | CA | ASR | note |");
        sb.AppendLine("|---|---|---|---:|---:|---|");
        foreach (var g in poisons.GroupBy(p => (p.Pair, p.Attack)))
            sb.AppendLine(
                $"| {g.Key.Pair} | {g.Key.Attack} | {string.Join(", ", g.Select(p => p.Seed))} | {f.S(g.Select(p => p.Metrics?.CleanAccuracy))} | "
                    + $"{f.S(g.Select(p => p.Metrics?.AttackSuccessRate))} | {g.Select(p => p.Skipped).FirstOrDefault(x => x is not null) ?? ""} |"
            );
        sb.AppendLine();
    }

    private static void VictimTables(StringBuilder sb, Cells f, List<Row> rows)
    {
        sb.AppendLine("## Victims: CA / ASR by attack and strategy");
        foreach (var pair in rows.Select(r => r.Pair).Distinct())
        {
            var strategies = rows.Where(r => r.Pair == pair).Select(r => r.Strategy).Distinct().ToList();
            sb.AppendLine();
            sb.AppendLine($"**{pair}**");
            sb.AppendLine();
            sb.AppendLine("| attack | " + string.Join(" | ", strategies) + " |");
            sb.AppendLine("|---|" + string.Concat(strategies.Select(_ => "---:|")));
            foreach (var attack in rows.Where(r => r.Pair == pair).Select(r => r.Attack).Distinct())
                sb.AppendLine(
                    $"| {attack} | "
                        + string.Join(
                            " | ",
                            strategies.Select(s =>
                            {
                                var g = rows.Where(x => x.Pair == pair && x.Attack == attack && x.Strategy == s).ToList();
                                return g.Count == 0 ? "" : f.CaAsr(g, r => r.Victim?.CleanAccuracy, r => r.Victim?.AttackSuccessRate);
                            })
                        )
                        + " |"
                );
        }
        sb.AppendLine();
    }

    private static void DefenceTable(StringBuilder sb, Cells f, List<Row> rows)
    {
        sb.AppendLine("## Defences: CA / ASR without and with each defence");
        sb.AppendLine();
        sb.AppendLine(
            "ONION uses psim's Kneser-Ney n-gram language model trained on the clean training texts in place of GPT-2-large (not available here); "
                + "its bar, like every detector's threshold, is set on clean dev alone: ONION alters at most the target FRR of clean dev inputs (next section). "
                + "Back-translation and SCPD use the pre-paraphrased test files; only BadNet has paraphrased poisoned files, so their ASR is blank for the other attacks."
        );
        sb.AppendLine();
        sb.AppendLine("| pair | attack | strategy | none | PSIM (fixed) | PSIM (calibrated) | ONION | STRIP | back-translation | SCPD |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in BySetting(rows))
        {
            string Baseline(DefenseKind name)
            {
                // extra ONION bars are not ONION's result
                BaselineResult? Of(Row r) =>
                    r.Baselines?.FirstOrDefault(x => x.Defense == Vocabulary<DefenseKind>.Name(name) && x.Selected != false);
                return g.Any(r => Of(r) is not null) ? f.CaAsr(g, r => Of(r)?.CleanAccuracy, r => Of(r)?.AttackSuccessRate) : "";
            }
            sb.AppendLine(
                $"| {g.Key.Pair} | {g.Key.Attack} | {g.Key.Strategy} | {f.CaAsr(g, r => r.Victim?.CleanAccuracy, r => r.Victim?.AttackSuccessRate)} | "
                    + $"{f.CaAsr(g, r => r.PsimFixed?.DefendedCleanAccuracy, r => r.PsimFixed?.DefendedAttackSuccessRate)} | "
                    + $"{f.CaAsr(g, r => r.PsimCalibrated?.DefendedCleanAccuracy, r => r.PsimCalibrated?.DefendedAttackSuccessRate)} | "
                    + $"{Baseline(DefenseKind.Onion)} | {Baseline(DefenseKind.Strip)} | {Baseline(DefenseKind.Backtranslation)} | {Baseline(DefenseKind.Scpd)} |"
            );
        }
        sb.AppendLine();
    }

    /// <summary>Every detector of a victim at one operating point: the protocol's table (docs/metrics.md).</summary>
    private static void DetectorComparison(StringBuilder sb, Cells f, List<Row> rows)
    {
        var measured = rows.Where(r => r.Baselines?.Any(x => x.TargetFrr is not null) == true).ToList();
        if (measured.Count == 0)
            return;
        var frr = measured.SelectMany(r => r.Baselines!).First(x => x.TargetFrr is not null).TargetFrr!.Value;
        sb.AppendLine($"## Detectors at one operating point: every threshold set on clean dev to {frr:P0} FRR");
        sb.AppendLine();
        sb.AppendLine(
            "No threshold sees the test set, its labels or a triggered input. FRR is measured on clean test (ONION: the share of clean inputs it alters; it repairs flagged inputs instead of rejecting them). "
                + "CA and ASR are the victim's with the detector (none: without). s/1000: seconds to score 1,000 test inputs on the machine that ran the step; passes: the victim's forward passes per input, counting the prediction itself."
        );
        sb.AppendLine();
        sb.AppendLine(
            "Training-time defences do not apply to weight poisoning, where the defender's own training data is clean: BKI drops the training rows its most influential words mark, and the defender's rows hold no trigger; "
                + "CUBE drops the cluster of poisoned training rows in representation space, and clean data has none."
        );
        sb.AppendLine();
        sb.AppendLine("| pair | attack | strategy | detector | AUROC | FRR | FAR | CA | ASR | s/1000 | passes |");
        sb.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var g in BySetting(measured))
        {
            sb.AppendLine(
                $"| {g.Key.Pair} | {g.Key.Attack} | {g.Key.Strategy} | none | | | | {f.S(g.Select(r => None(r)?.CleanAccuracy))} | {f.S(g.Select(r => None(r)?.AttackSuccessRate))} | | 1 |"
            );
            foreach (var name in g.SelectMany(r => r.Baselines!).Where(x => x.TargetFrr is not null).Select(x => x.Defense).Distinct())
            {
                var xs = g.Select(r => r.Baselines!.FirstOrDefault(x => x.Defense == name && x.TargetFrr is not null)).ToList();
                var cost = xs.First(x => x is not null)!.Cost;
                sb.AppendLine(
                    $"| | | | {name} | {f.S(xs.Select(x => x?.Auroc), 1, "F3")} | {f.S(xs.Select(x => x?.Frr))} | {f.S(xs.Select(x => x?.Far))} | "
                        + $"{f.S(xs.Select(x => x?.CleanAccuracy))} | {f.S(xs.Select(x => x?.AttackSuccessRate))} | {f.S(xs.Select(x => x?.SecondsPer1000), 1)} | "
                        + $"{cost?.VictimPasses}{(cost?.OtherModel is { } other ? $" + {other}" : "")} |"
                );
            }
        }
        sb.AppendLine();
    }

    private static BaselineResult? None(Row r) => r.Baselines?.FirstOrDefault(x => x.Defense == "none");

    private static void DetectionTable(StringBuilder sb, Cells f, List<Row> rows)
    {
        sb.AppendLine("## PSIM detection quality");
        sb.AppendLine();
        sb.AppendLine("| pair | attack | threshold | τ | FRR | FAR | precision | recall | F1 | AUROC |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var g in rows.GroupBy(r => (r.Pair, r.Attack)))
        {
            var perSeed = g.GroupBy(r => r.Result.Seed).Select(s => s.First()).ToList(); // one detector per seed
            foreach (
                var (label, of) in new (string, Func<Row, DefenseReport?>)[]
                {
                    ("fixed", r => r.PsimFixed),
                    ("calibrated", r => r.PsimCalibrated),
                }
            )
            {
                var ms = perSeed.Select(of).ToList();
                if (ms.All(m => m is null))
                    continue;
                sb.AppendLine(
                    $"| {g.Key.Pair} | {g.Key.Attack} | {label} | {f.S(ms.Select(m => m?.Threshold), 1, "F4")} | {f.S(ms.Select(m => m?.Frr))} | {f.S(ms.Select(m => m?.Far))} | "
                        + $"{f.S(ms.Select(m => m?.Precision))} | {f.S(ms.Select(m => m?.Recall))} | {f.S(ms.Select(m => m?.F1))} | {f.S(ms.Select(m => m?.Auroc), 1, "F4")} |"
                );
            }
        }
        sb.AppendLine();
        sb.AppendLine("The detector's scores do not depend on the victim, so detection quality is given once per pair and attack.");
        sb.AppendLine();
    }

    private static void FigureList(StringBuilder sb, List<(string Title, string File)> figures, string outDir)
    {
        sb.AppendLine("## Figures");
        foreach (var (title, file) in figures)
        {
            sb.AppendLine();
            sb.AppendLine($"![{title}]({Path.GetRelativePath(outDir, file)})");
        }
    }

    private static string Rows(int? train, int? eval) =>
        train is null && eval is null
            ? ""
            : $", at most {train?.ToString() ?? "all"} training and {eval?.ToString() ?? "all"} evaluation rows";

    private static void CaAsrBars(string path, string pair, List<Row> rows)
    {
        var plt = new Plot();
        var strategies = rows.Select(r => r.Strategy).Distinct().ToList();
        var attacks = rows.Select(r => r.Attack).Distinct().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / (attacks.Count * 2);
        int series = 0;
        foreach (var attack in attacks)
        foreach (var metric in new[] { "clean_accuracy", "attack_success_rate" })
        {
            double? Of(FinetuneMetrics? m) => metric == "clean_accuracy" ? m?.CleanAccuracy : m?.AttackSuccessRate;
            var spreads = strategies
                .Select(s => SeedSpread.Of(rows.Where(r => r.Attack == attack && r.Strategy == s).Select(r => Of(r.Victim))))
                .ToList();
            var values = spreads.Select(x => 100 * (x?.Mean ?? double.NaN)).ToArray();
            var positions = strategies.Select((_, i) => i - 0.4 + width * (series + 0.5)).ToArray();
            var bars = plt.Add.Bars(positions, values);
            for (int i = 0; i < spreads.Count; i++)
                bars.Bars[i].Error = 100 * (spreads[i]?.Sd ?? 0); // spread over seeds
            bars.Color = palette.GetColor(series).WithAlpha(metric == "clean_accuracy" ? 0.5 : 1.0);
            bars.LegendText = $"{(metric == "clean_accuracy" ? "CA" : "ASR")} {attack}";
            foreach (var b in bars.Bars)
                b.Size = width * 0.9;
            series++;
        }
        plt.Axes.Bottom.SetTicks(strategies.Select((_, i) => (double)i).ToArray(), strategies.ToArray());
        plt.Axes.SetLimitsY(0, 105);
        plt.YLabel("%");
        plt.Title($"Victims on {pair}: CA (light) and ASR (dark) by strategy{(OverSeveralSeeds(rows) ? ", mean ± sd over seeds" : "")}");
        plt.ShowLegend(Alignment.LowerRight);
        plt.SavePng(path, 1000, 500);
    }

    /// <summary>Whether a figure's rows come from more than one seed (its points are then means with sd bars).</summary>
    private static bool OverSeveralSeeds(List<Row> rows) => rows.Select(r => r.Result.Seed).Distinct().Count() > 1;

    private static readonly MarkerShape[] Shapes =
    [
        MarkerShape.FilledCircle,
        MarkerShape.OpenSquare,
        MarkerShape.FilledTriangleUp,
        MarkerShape.OpenDiamond,
        MarkerShape.Cross,
    ];
    private static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    /// <summary>Dev ASR after every epoch, one line per strategy (mean over seeds, error bars = sd); false when no victim recorded it.</summary>
    private static bool AsrThroughTraining(string path, string pair, string attack, List<Row> rows)
    {
        const string key = "dev_attack_success_rate";
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int series = 0;
        foreach (var g in rows.GroupBy(r => r.Strategy))
        {
            var epochs = g.SelectMany(r => r.Victim?.Epochs ?? [])
                .Where(e => e.Dev.ContainsKey(key))
                .Select(e => e.Epoch)
                .Distinct()
                .Order()
                .ToArray();
            if (epochs.Length == 0)
                continue;
            var spreads = epochs
                .Select(ep =>
                    SeedSpread.Of(g.Select(r => r.Victim?.Epochs.FirstOrDefault(e => e.Epoch == ep)?.Dev.GetValueOrDefault(key)))!
                )
                .ToArray();
            var line = plt.Add.Scatter(epochs.Select(e => (double)e).ToArray(), spreads.Select(x => 100 * x.Mean).ToArray());
            line.Color = palette.GetColor(series);
            line.LegendText = g.Key;
            line.MarkerShape = Shapes[series % Shapes.Length]; // lines that sit on top of each other (all at 100%) stay apart
            line.MarkerSize = 7;
            line.LinePattern = Patterns[series % Patterns.Length];
            if (spreads.Any(x => x.N > 1))
            {
                var bars = plt.Add.ErrorBar(
                    epochs.Select(e => (double)e).ToArray(),
                    spreads.Select(x => 100 * x.Mean).ToArray(),
                    spreads.Select(x => 100 * x.Sd).ToArray()
                );
                bars.Color = palette.GetColor(series);
            }
            series++;
        }
        if (series == 0)
            return false;
        plt.XLabel("epoch");
        plt.YLabel("dev ASR (%)");
        plt.Axes.SetLimitsY(0, 105);
        plt.Title($"{attack} on {pair}: dev ASR after each epoch{(OverSeveralSeeds(rows) ? " (mean ± sd over seeds)" : "")}");
        plt.ShowLegend(Alignment.LowerRight);
        plt.SavePng(path, 900, 450);
        return true;
    }

    /// <summary>
    /// PSIM's operating points: the clean test FRR and each victim's ASR with PSIM at every threshold τ (flagged: c &gt; τ), with the
    /// reference's 0.7 and the calibrated τ marked; from the PSIM evaluations' scores.json. False when none has them.
    /// </summary>
    private static bool ThresholdCurves(string path, string pair, string attack, List<Row> rows)
    {
        var scored = rows.Where(r => r.PsimDir is not null)
            .Select(r => (Row: r, Scores: ResultFiles.Scores.Read(r.PsimDir!)))
            .Where(x => x.Scores?.PoisonedToTarget is not null)
            .ToList();
        if (scored.Count == 0)
            return false;
        var taus = Enumerable.Range(0, 201).Select(i => i / 200.0).ToArray();
        var plt = new Plot();
        var clean = scored[0].Scores!.Clean; // the detector's scores do not depend on the victim
        var frr = plt.Add.Scatter(taus, taus.Select(t => 100.0 * clean.Count(c => c > t) / clean.Count).ToArray());
        frr.LegendText = "FRR (clean test)";
        frr.Color = Colors.Black;
        frr.MarkerSize = 0;
        var palette = new ScottPlot.Palettes.Category10();
        for (int k = 0; k < scored.Count; k++)
        {
            var (row, s) = (scored[k].Row, scored[k].Scores!);
            int n = s.Poisoned.Count;
            var asr = plt.Add.Scatter(
                taus,
                taus.Select(t => 100.0 * Enumerable.Range(0, n).Count(i => s.PoisonedToTarget![i] && s.Poisoned[i] <= t) / n).ToArray()
            );
            asr.LegendText = $"ASR, {row.Strategy} victim";
            asr.Color = palette.GetColor(k);
            asr.MarkerSize = 0;
        }
        foreach (
            var (tau, label) in new[]
            {
                (rows.First().PsimFixed?.Threshold, "fixed"),
                (rows.First().PsimCalibrated?.Threshold, "calibrated"),
            }
        )
            if (tau is double t)
            {
                var v = plt.Add.VerticalLine(t);
                v.LinePattern = LinePattern.Dashed;
                v.LegendText = $"τ {label} = {t:0.####}";
            }
        plt.XLabel("threshold τ (flag when the detector's confidence exceeds it)");
        plt.YLabel("%");
        plt.Axes.SetLimits(taus.First(t => clean.Any(c => c <= t) || t >= 1) - 0.02, 1, 0, 102);
        plt.Title($"PSIM on {pair}, {attack}: FRR and ASR across thresholds");
        plt.ShowLegend(Alignment.MiddleCenter); // FRR falls from the upper left, ASR rises at the right
        plt.SavePng(path, 800, 450);
        return true;
    }

    private static bool RocCurves(string path, string pair, List<Row> rows)
    {
        var plt = new Plot();
        bool any = false;
        foreach (var g in rows.Where(r => r.PsimDir is not null).GroupBy(r => r.Attack))
        {
            var scores = ResultFiles.Scores.Read(g.First().PsimDir!);
            if (scores is null)
                continue;
            var (clean, poisoned) = (scores.Clean, scores.Poisoned);
            var thresholds = clean
                .Concat(poisoned)
                .Distinct()
                .OrderDescending()
                .Prepend(double.PositiveInfinity)
                .Append(double.NegativeInfinity)
                .ToList();
            var fpr = thresholds.Select(t => clean.Count(s => s >= t) / (double)clean.Count).ToArray();
            var tpr = thresholds.Select(t => poisoned.Count(s => s >= t) / (double)poisoned.Count).ToArray();
            var line = plt.Add.ScatterLine(fpr, tpr);
            line.LegendText = $"{g.Key} (AUROC {DetectionMetrics.ComputeAuroc(clean, poisoned):F3})";
            any = true;
        }
        if (!any)
            return false;
        var diag = plt.Add.Line(0, 0, 1, 1);
        diag.LinePattern = LinePattern.Dashed;
        diag.Color = Colors.Gray;
        plt.XLabel("false positive rate (clean inputs flagged)");
        plt.YLabel("true positive rate (poisoned inputs flagged)");
        plt.Title($"PSIM ROC, {pair}");
        plt.Axes.SetLimits(0, 1, 0, 1.02);
        plt.ShowLegend(Alignment.LowerRight);
        plt.SavePng(path, 600, 550);
        return true;
    }

    /// <summary>A self-contained HTML page: the Markdown's tables and text rendered simply, figures inlined as data URIs.</summary>
    private static string Html(string markdown, List<(string Title, string File)> figures, string outDir)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>psim study report</title><style>");
        sb.AppendLine(
            "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:0.9em}"
                + "th,td{border:1px solid #ccc;padding:4px 8px}td{text-align:right}td:first-child,th{text-align:left}img{max-width:100%}"
        );
        sb.AppendLine("</style></head><body>");
        bool inTable = false,
            header = false;
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith('|'))
            {
                var cells = line.Trim('|').Split('|').Select(c => WebUtility.HtmlEncode(c.Trim())).ToArray();
                if (cells.All(c => c.Trim(':', '-').Length == 0))
                    continue;
                if (!inTable)
                {
                    sb.AppendLine("<table>");
                    inTable = true;
                    header = true;
                }
                string tag = header ? "th" : "td";
                sb.AppendLine("<tr>" + string.Concat(cells.Select(c => $"<{tag}>{c}</{tag}>")) + "</tr>");
                header = false;
                continue;
            }
            if (inTable)
            {
                sb.AppendLine("</table>");
                inTable = false;
            }
            if (line.StartsWith("!["))
                continue; // figures are inlined below
            if (line.StartsWith("## "))
                sb.AppendLine($"<h2>{WebUtility.HtmlEncode(line[3..])}</h2>");
            else if (line.StartsWith("# "))
                sb.AppendLine($"<h1>{WebUtility.HtmlEncode(line[2..])}</h1>");
            else if (line.Length > 0)
                sb.AppendLine($"<p>{WebUtility.HtmlEncode(line).Replace("**", "")}</p>");
        }
        if (inTable)
            sb.AppendLine("</table>");
        foreach (var (title, file) in figures)
            sb.AppendLine(
                $"<figure><img alt=\"{WebUtility.HtmlEncode(title)}\" src=\"data:image/png;base64,{Convert.ToBase64String(File.ReadAllBytes(file))}\"><figcaption>{WebUtility.HtmlEncode(title)}</figcaption></figure>"
            );
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }
}
