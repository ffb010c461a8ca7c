using Psim.Attacks;
using Psim.Charts;
using Psim.Data;
using Psim.Defense;
using Psim.Defense.Dan;
using Psim.Defense.Detection;
using Psim.Defense.Guard;
using Psim.Defense.Onion;
using Psim.Defense.Rap;
using Psim.Defense.Strip;
using Psim.Evaluation;
using Psim.Files;
using Psim.Runtime;
using Psim.Training;

namespace Psim.Workflows;

/// <summary>What <c>psim defend baselines</c> does: the victim's CA and ASR under every inference-time defence, detectors compared under one protocol.</summary>
public sealed record BaselineRequest : IFolderRequest<BaselineRequest>
{
    public BaselineRequest WithOutDir(string dir) => this with { OutDir = dir };

    public required TaskInput Task { get; init; }
    public required VictimInput Victim { get; init; }
    public required AttackInput Attack { get; init; }

    /// <summary>PSIM's detector, measured in the same table under the same protocol; required when <see cref="Defenses"/> lists psim.</summary>
    public DetectorInput? Detector { get; init; }

    /// <summary>The run's seed (trigger positions, STRIP's perturbations, RAP's batches, DAN's held-out split).</summary>
    public long Seed { get; init; } = Defaults.Seed;
    public required string OutDir { get; init; }

    /// <summary>Replace a psim output folder of another kind; never part of a step key or run.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Force { get; init; }

    /// <summary>The FRR on clean dev every detector's threshold is set to (the protocol of docs/metrics.md).</summary>
    public double TargetFrr { get; init; } = Defaults.DetectorTargetFrr;

    /// <summary>Extra ONION rows beside the protocol's: explicit bars (GPT-2's scale is −300 … −30) ...</summary>
    public IReadOnlyList<double>? OnionBars { get; init; }

    /// <summary>... or bars each removing this fraction of clean dev words.</summary>
    public IReadOnlyList<double> OnionRemovalRates { get; init; } = [];

    /// <summary>ONION's n-gram order (<see cref="OnionOptions"/>; one number, kept as it is in step keys).</summary>
    public int NgramOrder { get; init; } = new OnionOptions().NgramOrder;

    /// <summary>STRIP's copies per input (<see cref="StripOptions"/>; one number, kept as it is in step keys).</summary>
    public int StripCopies { get; init; } = new StripOptions().Copies;
    public RapOptions Rap { get; init; } = new();
    public DanOptions Dan { get; init; } = new();

    /// <summary>
    /// The clean base the victim's checkpoint claims to derive from ('minilm' or a folder): the victim's word embeddings
    /// (the base's, for an adapter) are audited against it and the rows the audit names are given to the detectors
    /// (the guard flags inputs that carry them). Null: no audit.
    /// </summary>
    public string? Reference { get; init; }

    /// <summary>The fused guard's settings (null: its defaults; a study leaves it null unless it measures the guard, so other steps keep their keys).</summary>
    public GuardOptions? Guard { get; init; }
    public DefenseKind[] Defenses { get; init; } =
    [DefenseKind.Onion, DefenseKind.Strip, DefenseKind.Rap, DefenseKind.Dan, DefenseKind.Backtranslation, DefenseKind.Scpd];
}

/// <summary>CA and ASR of one defence setting (<see cref="Defense"/>: a <see cref="DefenseKind"/> name, or "none" for the undefended victim; rejected clean inputs count as wrong, rejected poisoned inputs as failed attacks).</summary>
public sealed record BaselineResult(
    string Defense,
    string Setting,
    double? CleanAccuracy,
    double? AttackSuccessRate,
    double? Frr = null,
    double? Far = null,
    double? Auroc = null,
    string? Note = null
)
{
    /// <summary>Accuracy on clean dev under this setting (the extra ONION bars).</summary>
    public double? DevCleanAccuracy { get; init; }

    /// <summary>True for the row a defence is reported by (the protocol's), false for extra rows of a sweep.</summary>
    public bool? Selected { get; init; }

    /// <summary>A detector's threshold under the protocol (inputs scoring above it are flagged), and the clean dev FRR it was set to.</summary>
    public double? Threshold { get; init; }
    public double? TargetFrr { get; init; }

    /// <summary>Seconds to score 1,000 test inputs on the machine that ran it, and to set the detector up (RAP's training, DAN's fit, the calibration scores).</summary>
    public double? SecondsPer1000 { get; init; }
    public double? SetupSeconds { get; init; }
    public DetectorCost? Cost { get; init; }
    public RocCurve? Roc { get; init; }
}

/// <summary>
/// The inference-time defences on one victim. Detectors (PSIM, ONION, STRIP, RAP, DAN) follow one protocol
/// (<see cref="DetectionProtocol"/>): threshold on clean dev at the target FRR; FRR, FAR, AUROC, CA and ASR with
/// the detector, and its cost; one ROC figure (roc.png). Back-translation and SCPD, which paraphrase every input
/// and flag nothing, are measured on the pre-paraphrased test files.
/// </summary>
public static class BaselineDefenseWorkflow
{
    private static bool Paraphrases(DefenseKind k) => DefenseCatalog.Of(k).ParaphrasedSuffix is not null;

    public static IReadOnlyList<BaselineResult> Run(BaselineRequest r, Action<string> log, CancellationToken ct = default)
    {
        Validate(r);
        var record = new RunRecord
        {
            Command = "defend baselines",
            Kind = Files.OutputKind.DefendBaselines,
            Force = r.Force,
            Seed = r.Seed,
            Request = r,
        };
        using var bed = VictimTestBed.Load(r.Task, r.Victim, r.Attack, r.Seed, record, log, ct);
        using var psim = r.Defenses.Any(DefenseCatalog.OnPsimDetector.Contains) ? r.Detector!.Load(r.Victim, bed.Checkpoint, log) : null;
        if (r.Detector is { } d)
            record.AddInput(d.Folder);
        var suspects = r.Reference is null ? null : SuspectTokenAudit.Of(r.Victim.Model, r.Reference, log);
        return record.Execute(r.OutDir, log, () =>
        {
            var run = new DefenceRun(r, bed, psim, suspects, log, ct);
            var results = new List<BaselineResult> { run.Undefended() };
            var outcomes = new List<DetectorOutcome>();
            foreach (var kind in r.Defenses.Where(k => !Paraphrases(k)))
            {
                var (outcome, row) = run.Detect(kind);
                outcomes.Add(outcome);
                results.Add(row);
                if (kind == DefenseKind.Onion && (r.OnionBars is not null || r.OnionRemovalRates.Count > 0))
                    results.AddRange(run.OnionSweep());
            }
            foreach (var kind in DefenseCatalog.All.Select(d => d.Kind).Where(k => Paraphrases(k) && r.Defenses.Contains(k)))
                results.Add(run.Paraphrased(kind));
            ResultFiles.Baselines.Write(r.OutDir, results);
            if (outcomes.Count > 0)
                RocChart.Save(
                    Path.Combine(r.OutDir, "roc.png"),
                    outcomes.Select(o => (Vocabulary<DefenseKind>.Name(o.Kind), o.Roc.Fpr, o.Roc.Tpr, o.Detection.Auroc)).ToList(),
                    $"{bed.Data.Name}, {r.Attack.Name}: detectors at {r.TargetFrr:P0} FRR on clean dev"
                );
            return results;
        });
    }

    private static void Validate(BaselineRequest r)
    {
        var onDetector = r.Defenses.Where(DefenseCatalog.OnPsimDetector.Contains).Select(Vocabulary<DefenseKind>.Name).ToList();
        if (onDetector.Count > 0 && r.Detector is null)
            throw new PsimException(
                $"{string.Join(" and ", onDetector)} {(onDetector.Count == 1 ? "is" : "are")} built on PSIM's detector: comparing them with the baselines needs its detector folder (--detector)"
            );
        if (!(r.TargetFrr >= 0 && r.TargetFrr < 1))
            throw new PsimException($"target FRR {r.TargetFrr} must be in [0, 1)");
        foreach (var d in r.Defenses.Select(DefenseCatalog.Of).Where(d => d.Options is not null))
            Settings(r, d.Options!.Type).Validate();
    }

    /// <summary>The request's settings record of a defence's type.</summary>
    private static ICheckedOptions Settings(BaselineRequest r, Type type) =>
        type == typeof(RapOptions) ? r.Rap
        : type == typeof(DanOptions) ? r.Dan
        : type == typeof(GuardOptions) ? r.Guard ?? new GuardOptions()
        : type == typeof(StripOptions) ? new StripOptions { Copies = r.StripCopies }
        : type == typeof(OnionOptions)
            ? new OnionOptions
            {
                NgramOrder = r.NgramOrder,
                RemovalRates = r.OnionRemovalRates,
                Bars = r.OnionBars,
            }
        : throw new InvalidOperationException($"the request holds no {type.Name}");

    /// <summary>One victim on one task's test rows and attack rows, measured without a defence and under each.</summary>
    private sealed class DefenceRun
    {
        private readonly BaselineRequest _r;
        private readonly TaskData _data;
        private readonly VictimUnderTest _victim;
        private readonly Action<string> _log;
        private readonly CancellationToken _ct;
        private readonly IReadOnlyList<Example> _dev;
        private readonly DetectorContext _context;
        private readonly DetectionBench _bench;

        public DefenceRun(
            BaselineRequest r,
            VictimTestBed bed,
            Defense.Psim.PsimDetector? psim,
            IReadOnlyList<SuspectToken>? suspects,
            Action<string> log,
            CancellationToken ct
        )
        {
            (_r, _data, _log, _ct) = (r, bed.Data, log, ct);
            _victim = new VictimUnderTest(bed.Victim, bed.Encoder, r.Attack.TargetLabel);
            _dev = _data.Load("dev");
            _context = new DetectorContext(
                _victim,
                _dev,
                () => _data.Load("train"),
                r.Attack.TargetLabel,
                r.Seed,
                t => Settings(r, t),
                log,
                ct
            )
            {
                Psim = psim,
                SuspectTokens = suspects,
            };
            var clean = bed.Test.Select(e => e.Text).ToList();
            var attack = bed.AttackRows.Select(e => e.Text).ToList();
            _bench = new DetectionBench(
                clean,
                bed.Test.Select(e => e.Label).ToList(),
                Predict(clean, "victim, clean test"),
                attack,
                bed.AttackRows.Select(e => e.Label).ToList(),
                Predict(attack, $"victim, {r.Attack.Name} test"),
                r.Attack.TargetLabel,
                Predict
            );
        }

        public int[] Predict(IReadOnlyList<string> texts, string label) =>
            _victim.Probabilities(texts, label, _ct).Select(Predictor.ArgMax).ToArray();

        public BaselineResult Undefended() =>
            new(
                "none",
                "",
                Metrics.Accuracy(_bench.CleanPredicted, _bench.CleanGold),
                Metrics.AttackSuccessRate(_bench.AttackPredicted, _bench.AttackGold, _bench.TargetLabel)
            );

        /// <summary>Builds the detector (timed as its set-up) and measures it under the protocol.</summary>
        public (DetectorOutcome, BaselineResult) Detect(DefenseKind kind)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var detector = Build(kind);
            double setup = clock.Elapsed.TotalSeconds;
            var o = DetectionProtocol.Measure(detector, _bench, _r.TargetFrr, _ct);
            _log(
                $"{Vocabulary<DefenseKind>.Name(kind)}: AUROC {o.Detection.Auroc:F3}, FRR {o.Detection.Frr:P1}, FAR {o.Detection.Far:P1}, CA {o.CleanAccuracy:P1}, ASR {o.AttackSuccessRate:P1}"
            );
            // JSON holds no infinities: RAP's threshold is −∞ when more than the target FRR of clean dev is not given the protected label
            string? note = double.IsFinite(o.Threshold)
                ? null
                : $"threshold {o.Threshold}: every input given the protected label is flagged";
            return (
                o,
                new BaselineResult(
                    Vocabulary<DefenseKind>.Name(kind),
                    o.Setting,
                    o.CleanAccuracy,
                    o.AttackSuccessRate,
                    o.Detection.Frr,
                    o.Detection.Far,
                    o.Detection.Auroc,
                    note
                )
                {
                    Selected = true,
                    Threshold = double.IsFinite(o.Threshold) ? o.Threshold : null,
                    TargetFrr = o.TargetFrr,
                    SecondsPer1000 = o.SecondsPer1000,
                    SetupSeconds = setup,
                    Cost = o.Cost,
                    Roc = o.Roc,
                }
            );
        }

        private IInputDetector Build(DefenseKind kind) =>
            (
                DefenseCatalog.Of(kind).Detector
                ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an inference-time detector")
            )(_context);

        /// <summary>ONION at extra bars (given, or each removing a fraction of clean dev words), beside the protocol's bar; not reported as ONION's result.</summary>
        public IEnumerable<BaselineResult> OnionSweep()
        {
            var onion = OnionDetector.LanguageModel(_context); // the protocol row's language model
            var devTexts = _dev.Select(e => e.Text).ToList();
            var devGold = _dev.Select(e => e.Label).ToList();
            var devScored = onion.ScoreAll(devTexts);
            var bars = _r.OnionBars?.Select(b => (b, $"bar {b:F1}")).ToList()
                ?? _r.OnionRemovalRates.Select(rate =>
                    {
                        double bar = Defense.Onion.OnionFilter.BarForRemovalRate(devScored.SelectMany(s => s.Scores).ToList(), rate);
                        return (bar, $"bar {bar:F1}: removes {100 * rate:G3}% of clean dev words");
                    })
                    .ToList();
            var distinct = bars.Select(b => b.Item1).Distinct().ToList();
            var dev = Defense.Onion.OnionFilter.Apply(devScored, distinct);
            var clean = onion.FilterAll(_bench.Clean, distinct);
            var attack = onion.FilterAll(_bench.Attack, distinct);
            return bars.Select(b => new BaselineResult(
                    Vocabulary<DefenseKind>.Name(DefenseKind.Onion),
                    b.Item2,
                    Metrics.Accuracy(Predict(clean[b.Item1], $"ONION {b.Item1:G4}, clean"), _bench.CleanGold),
                    Metrics.AttackSuccessRate(
                        Predict(attack[b.Item1], $"ONION {b.Item1:G4}, {_r.Attack.Name}"),
                        _bench.AttackGold,
                        _bench.TargetLabel
                    )
                )
                {
                    DevCleanAccuracy = Metrics.Accuracy(Predict(dev[b.Item1], $"ONION {b.Item1:G4}, dev"), devGold),
                    Selected = false,
                })
                .ToList();
        }

        /// <summary>Back-translation and SCPD: the victim on the pre-paraphrased clean and poisoned test files.</summary>
        public BaselineResult Paraphrased(DefenseKind kind)
        {
            string name = Vocabulary<DefenseKind>.Name(kind),
                suffix = DefenseCatalog.Of(kind).ParaphrasedSuffix!;
            var cleanFile = _data.FindFile($"test_{suffix}");
            if (cleanFile is null)
                return new BaselineResult(name, "", null, null, Note: $"no test_{suffix} file");
            var clean = _data.LoadTestCopy($"test_{suffix}", _r.Attack.TargetLabel);
            double ca = Metrics.Accuracy(
                Predict(clean.Select(e => e.Text).ToList(), $"{name}, clean"),
                clean.Select(e => e.Label).ToList()
            );
            if (_data.FindFile($"test_{_r.Attack.Name}_{suffix}") is null)
                return new BaselineResult(
                    name,
                    Path.GetFileName(cleanFile),
                    ca,
                    null,
                    Note: $"no paraphrased {_r.Attack.Name} test file: ASR not measurable"
                );
            var p = _data
                .LoadTestCopy($"test_{_r.Attack.Name}_{suffix}", _r.Attack.TargetLabel)
                .Where(e => e.Label != _r.Attack.TargetLabel)
                .ToList();
            double asr = Metrics.AttackSuccessRate(
                Predict(p.Select(e => e.Text).ToList(), $"{name}, {_r.Attack.Name}"),
                p.Select(e => e.Label).ToList(),
                _r.Attack.TargetLabel
            );
            return new BaselineResult(name, Path.GetFileName(cleanFile), ca, asr);
        }
    }
}
