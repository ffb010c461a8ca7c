using System.Text.Json;
using Psim.Attacks;
using Psim.Data;
using Psim.Defense;
using Psim.Defense.Psim;
using Psim.Peft;
using Psim.Training;
using Psim.Workflows;

namespace Psim.Study;

/// <summary>
/// Versions of what each kind of step computes, part of its key: bump one when psim's code changes
/// that step's output for the same request, so an upgraded psim redoes those steps (and the steps that
/// read them) instead of reusing stale results.
/// </summary>
public static class StepCode
{
    /// <summary>3: keys derived from the requests (issue 12). Victim 4: dev CA and ASR after every epoch in metrics.json;
    /// PSIM evaluation 4: scores.json says which triggered rows the victim sent to the target (issue 15).</summary>
    public const int Poison = 3,
        Victim = 4,
        Detector = 3,
        PsimEvaluation = 4,
        Baselines = 4;

    public static int Of(StepKind kind) =>
        kind switch
        {
            StepKind.Poison => Poison,
            StepKind.Victim => Victim,
            StepKind.Detector => Detector,
            StepKind.PsimFixed or StepKind.PsimCalibrated => PsimEvaluation,
            StepKind.Baselines => Baselines,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
}

/// <summary>
/// The study of spec §1-6 as a list of steps, built from its config without running anything: for each
/// task pair, seed and attack, poison the base model on the proxy corpus; adapt it to the victim task
/// with every strategy; train a PSIM detector; evaluate every victim with PSIM (fixed and calibrated
/// threshold) and the baseline defences. Steps come in an order that runs upstream steps first; each
/// step's folder is <c>steps/NAME-KEY</c> under the study folder. Serialisable as JSON for other executors.
/// </summary>
public sealed record StudyPlan(string StudyDir, IReadOnlyList<PlannedStep> Steps)
{
    public static readonly JsonSerializerOptions Json = new(StepKey.Json) { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static StudyPlan FromJson(string json) =>
        JsonSerializer.Deserialize<StudyPlan>(json, Json) ?? throw new PsimFormatException("empty study plan");

    public static StudyPlan Build(StudyConfig config, string studyDir, Action<string>? log = null) =>
        new Builder(config, Path.GetFullPath(studyDir), log).Build();

    private sealed class Builder(StudyConfig c, string studyDir, Action<string>? log)
    {
        private readonly StepKey _keys = new();
        private readonly List<PlannedStep> _steps = [];
        private ReadOptions Reading => new() { AllowEmptyText = c.AllowEmptyText };

        public StudyPlan Build()
        {
            string baseModel = _keys.Model(c.BaseModel, log);
            foreach (var pair in c.TaskPairs)
            {
                string proxy = _keys.Data(Path.Combine(c.DataRoot, pair.Proxy)),
                    victim = _keys.Data(Path.Combine(c.DataRoot, pair.Victim));
                foreach (var seed in c.Seeds)
                foreach (var attack in c.Attacks)
                    PlanAttack(new Cell(pair, new AttackSpec(attack) { Options = c.OptionsFor(attack) }, seed, proxy, victim), baseModel);
            }
            return new StudyPlan(studyDir, _steps);
        }

        private sealed record Cell(TaskPair Pair, AttackSpec Attack, long Seed, string ProxyDir, string VictimDir);

        private void PlanAttack(Cell cell, string baseModel)
        {
            if (SynAttackFiles.Missing(cell.Attack.Kind, cell.ProxyDir, cell.VictimDir) is { } missing)
            {
                _steps.Add(Step(StepKind.Poison, cell, null) with { Skipped = missing });
                return;
            }
            var poison = Add(StepKind.Poison, cell, null, [], new StepRequest<PoisonRequest>(PoisonRequest(cell, baseModel)));
            var victims = c.Strategies.ToDictionary(
                s => s,
                s => Add(StepKind.Victim, cell, s, [poison], new StepRequest<FinetuneRequest>(VictimRequest(cell, s, poison.Dir)))
            );
            var detector = c.Defenses.Any(DefenseCatalog.OnPsimDetector.Contains) ? PlanPsim(cell, poison, victims) : null;
            var compared = c.Defenses.Where(d => !DefenseCatalog.OnPsimDetector.Contains(d) || detector is not null).ToArray();
            if (compared.All(d => d == DefenseKind.Psim))
                return;
            // PSIM is measured again beside the baselines, under the same protocol (one table per victim)
            foreach (var s in c.Baselines.Strategies.Where(victims.ContainsKey))
                Add(
                    StepKind.Baselines,
                    cell,
                    s,
                    detector is null ? [victims[s]] : [victims[s], detector],
                    new StepRequest<BaselineRequest>(
                        BaselineRequest(cell, s, baseModel, poison.Dir, victims[s].Dir, detector?.Dir, compared)
                    )
                );
        }

        private PlannedStep PlanPsim(Cell cell, PlannedStep poison, Dictionary<TuningMethod, PlannedStep> victims)
        {
            var detector = Add(
                StepKind.Detector,
                cell,
                null,
                [poison],
                new StepRequest<DetectorRequest>(DetectorRequest(cell, poison.Dir))
            );
            foreach (var (s, v) in victims)
            {
                Add(
                    StepKind.PsimFixed,
                    cell,
                    s,
                    [v, detector],
                    new StepRequest<DefendRequest>(DefendRequest(cell, s, poison.Dir, v.Dir, detector.Dir, c.Psim.Threshold))
                );
                if (c.Psim.TargetFrr is not null)
                    Add(
                        StepKind.PsimCalibrated,
                        cell,
                        s,
                        [v, detector],
                        new StepRequest<DefendRequest>(DefendRequest(cell, s, poison.Dir, v.Dir, detector.Dir, null))
                    );
            }
            return detector;
        }

        private PlannedStep Step(StepKind kind, Cell cell, TuningMethod? strategy) =>
            new()
            {
                Kind = kind,
                Pair = cell.Pair,
                Attack = cell.Attack.Kind,
                Strategy = strategy,
                Seed = cell.Seed,
                Code = StepCode.Of(kind),
                Name =
                    $"{Vocabulary<StepKind>.Name(kind)}-{cell.Pair.Proxy}-{cell.Pair.Victim}-{cell.Attack.Name}{(strategy is { } m ? "-" + m.Name() : "")}-s{cell.Seed}",
            };

        private PlannedStep Add(StepKind kind, Cell cell, TuningMethod? strategy, PlannedStep[] upstream, StepRequest request)
        {
            var step = Step(kind, cell, strategy);
            var (key, _) = _keys.Derive(kind, step.Code, request.Value);
            // the same request planned again (a task-agnostic poisoning, or one proxy poisoned for two victim tasks) is the same step: run once
            if (_steps.FirstOrDefault(s => s.Kind == kind && s.Key == key) is { } same)
                return same;
            string dir = Path.Combine(studyDir, "steps", $"{step.Name}-{key}");
            _keys.Step(dir, key);
            step = step with { Key = key, Dir = dir, Upstream = upstream.Select(u => u.Name).ToArray(), Request = request.WithOutDir(dir) };
            _steps.Add(step);
            return step;
        }

        private TaskInput Task(string dir, int? trainRows, int? evalRows, long seed) =>
            new()
            {
                DataDir = dir,
                Reading = Reading,
                Limits = trainRows is null && evalRows is null ? null : new RowLimits(trainRows, evalRows, seed),
            };

        private AttackInput Attack(Cell cell) => new() { Spec = cell.Attack, TargetLabel = c.TargetLabel };

        /// <summary>A victim as the defences load it: a full fine-tune is its own classifier; a PEFT victim is an adapter on the poisoned model.</summary>
        private VictimInput Victim(TuningMethod strategy, string poisonDir, string victimDir) =>
            strategy.IsPeft()
                ? new()
                {
                    Model = poisonDir,
                    Adapter = victimDir,
                    MaxLength = c.Victim.MaxLength,
                }
                : new() { Model = victimDir, MaxLength = c.Victim.MaxLength };

        private PoisonRequest PoisonRequest(Cell cell, string baseModel) =>
            new()
            {
                Task = Task(cell.ProxyDir, c.Poison.TrainRows, c.Poison.EvalRows, cell.Seed),
                BaseModel = baseModel,
                Attack = Attack(cell),
                OutDir = "",
                Poison = new PoisonOptions
                {
                    Mode = cell.Attack.Kind.DefaultPoisonMode(),
                    Count = c.Poison.PoisonRate is null ? c.Poison.PoisonCount : null,
                    Rate = c.Poison.PoisonRate,
                },
                Train = new TrainOptions
                {
                    Epochs = c.Poison.Epochs,
                    LearningRate = c.Poison.LearningRate,
                    MaxLength = c.Poison.MaxLength,
                    Seed = cell.Seed,
                },
                SelectBy = c.Poison.SelectBy,
            };

        private FinetuneRequest VictimRequest(Cell cell, TuningMethod strategy, string poisonDir) =>
            new()
            {
                Task = Task(cell.VictimDir, c.Victim.TrainRows, c.Victim.EvalRows, cell.Seed),
                Model = poisonDir,
                Method = strategy,
                Attack = Attack(cell),
                OutDir = "",
                Train = new TrainOptions
                {
                    Epochs = c.Victim.Epochs,
                    MaxLength = c.Victim.MaxLength,
                    Seed = cell.Seed,
                    LearningRate = strategy.IsPeft() ? c.Victim.PeftLearningRate : c.Victim.FullLearningRate,
                },
            };

        private DetectorRequest DetectorRequest(Cell cell, string poisonDir) =>
            new()
            {
                Task = Task(cell.VictimDir, c.Victim.TrainRows, c.Victim.EvalRows, cell.Seed),
                Model = poisonDir,
                OutDir = "",
                Detector = new DetectorTrainOptions
                {
                    // the fixed threshold is the detector's only when no calibration replaces it; evaluations at it name it themselves
                    Method = c.Psim.Method,
                    TargetFrr = c.Psim.TargetFrr,
                    Threshold = c.Psim.TargetFrr is null ? c.Psim.Threshold : new DetectorTrainOptions().Threshold,
                    Train = new TrainOptions
                    {
                        Epochs = c.Psim.Epochs,
                        LearningRate = c.Psim.LearningRate,
                        MaxLength = c.Victim.MaxLength,
                        Seed = cell.Seed,
                        KeepBestEpoch = false,
                    },
                },
            };

        private DefendRequest DefendRequest(
            Cell cell,
            TuningMethod strategy,
            string poisonDir,
            string victimDir,
            string detectorDir,
            double? threshold
        ) =>
            new()
            {
                Task = Task(cell.VictimDir, null, c.Victim.EvalRows, cell.Seed),
                Victim = Victim(strategy, poisonDir, victimDir),
                Attack = Attack(cell),
                Detector = new DetectorInput { Folder = detectorDir, Base = poisonDir },
                Threshold = threshold,
                Seed = cell.Seed,
                OutDir = "",
            };

        /// <summary>True when one of the compared defences reads settings of type <typeparamref name="T"/> (a settings record no compared defence reads stays out of the step key).</summary>
        private static bool Reads<T>(DefenseKind[] defenses) => defenses.Any(d => DefenseCatalog.Of(d).Options?.Type == typeof(T));

        private BaselineRequest BaselineRequest(
            Cell cell,
            TuningMethod strategy,
            string baseModel,
            string poisonDir,
            string victimDir,
            string? detectorDir,
            DefenseKind[] defenses
        )
        {
            bool guarded = Reads<Defense.Guard.GuardOptions>(defenses);
            var onion = c.DefenseOptions<Defense.Onion.OnionOptions>();
            return new()
            {
                Task = Task(cell.VictimDir, c.Victim.TrainRows, c.Victim.EvalRows, cell.Seed),
                Victim = Victim(strategy, poisonDir, victimDir),
                Attack = Attack(cell),
                Detector = detectorDir is null ? null : new DetectorInput { Folder = detectorDir, Base = poisonDir },
                Seed = cell.Seed,
                OutDir = "",
                Defenses = defenses,
                TargetFrr = c.Baselines.TargetFrr,
                StripCopies = c.DefenseOptions<Defense.Strip.StripOptions>().Copies,
                NgramOrder = onion.NgramOrder,
                OnionRemovalRates = onion.RemovalRates,
                OnionBars = onion.Bars,
                Rap = c.DefenseOptions<Defense.Rap.RapOptions>(),
                Dan = c.DefenseOptions<Defense.Dan.DanOptions>(),
                Guard = guarded ? c.DefenseOptions<Defense.Guard.GuardOptions>() : null,
                // the guard flags the tokens an audit against the clean base names; no other defence reads the audit
                Reference = guarded ? baseModel : null,
            };
        }
    }
}
