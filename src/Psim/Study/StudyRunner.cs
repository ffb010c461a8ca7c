using Psim.Attacks;
using Psim.Data;
using Psim.Defense.Psim;
using Psim.IO;
using Psim.Pipelines;
using Psim.Runtime;
using Psim.Training;

namespace Psim.Study;

/// <summary>
/// Versions of what each kind of step computes, part of its cache key: bump one when psim's code
/// changes that step's output for the same inputs, so an upgraded psim redoes those steps (and the
/// steps that depend on them) instead of reusing stale results.
/// </summary>
internal static class StepCode
{
    /// <summary>2: transformers' exact BertTokenizer ids (accents, symbols, tabs).</summary>
    public const int Poison = 2, Victim = 2, Detector = 2, PsimEvaluation = 2;
    /// <summary>2: ONION bars calibrated on clean dev; paraphrased test files sampled on the same rows as the test set. 3: exact tokenizer ids.</summary>
    public const int Baselines = 3;
}

/// <summary>One finished (or skipped) step of the grid.</summary>
public sealed record StepRecord(string Kind, string Pair, string Attack, string? Strategy, long Seed, string Dir, bool Ran, string? Skipped = null);

/// <summary>
/// Runs the study's grid: for each task pair, seed and attack, poison the base model on the proxy
/// corpus; adapt it to the victim task with every strategy; train a PSIM detector; evaluate every
/// victim with PSIM (fixed and calibrated threshold) and the baseline defences. Finished steps are
/// cached by their inputs, so a re-run skips them and a stopped run resumes.
/// </summary>
public sealed class StudyRunner
{
    private readonly StudyConfig _c;
    private readonly StepCache _cache;
    private readonly Action<string> _log;
    private readonly Dictionary<string, string> _hashes = new();

    public List<StepRecord> Steps { get; } = new();
    /// <summary>Called after each step (tests use it to stop a run part-way).</summary>
    public Action<StepRecord>? OnStep { get; init; }

    public StudyRunner(StudyConfig config, string outDir, Action<string> log)
    {
        _c = config;
        _cache = new StepCache(outDir);
        _log = log;
    }

    private string DataDir(string task) => Path.Combine(_c.DataRoot, task);

    private string Hash(string path) => _hashes.TryGetValue(path, out var h) ? h : _hashes[path] = RunRecord.HashFile(path);

    /// <summary>Content hashes of a task folder's files (train, dev, test and their variants), for step keys.</summary>
    private SortedDictionary<string, string> DataIdentity(string task)
    {
        var dir = DataDir(task);
        if (!Directory.Exists(dir)) throw new PsimException($"{dir}: data folder not found (data_root is {_c.DataRoot})");
        return new SortedDictionary<string, string>(Directory.EnumerateFiles(dir).Where(f => !f.EndsWith(".md", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileName(f), Hash), StringComparer.Ordinal);
    }

    public void Run(CancellationToken ct = default)
    {
        var baseCkpt = ModelResolver.Open(_c.BaseModel, _log);
        string baseId = WeightsFingerprint.Compute(baseCkpt.Weights);
        int total = TotalSteps(), n = 0;
        foreach (var pair in _c.TaskPairs)
        {
            var proxyId = DataIdentity(pair.Proxy);
            var victimId = DataIdentity(pair.Victim);
            foreach (var seed in _c.Seeds)
                foreach (var kind in _c.Attacks)
                {
                    var attack = new AttackSpec(kind);
                    string attackName = attack.Name;
                    string? missing = Missing(attack, pair);
                    if (missing is not null)
                    {
                        _log($"[{pair.Name} {attackName}] skipped: {missing}");
                        Steps.Add(new StepRecord("poison", pair.Name, attackName, null, seed, "", false, missing));
                        n += StepsPerAttack();
                        continue;
                    }
                    var poisonInputs = new { kind = "poison", code = StepCode.Poison, allow_empty_text = _c.AllowEmptyText, base_model = baseId, proxy = proxyId, attack = attackName, seed, settings = _c.Poison, target = _c.TargetLabel };
                    var poison = Step("poison", pair, attackName, null, seed, poisonInputs, ++n, total, dir => PoisonPipeline.Run(new PoisonRequest
                    {
                        BaseModel = _c.BaseModel, Attack = attack, Reading = new ReadOptions { AllowEmptyText = _c.AllowEmptyText }, DataDir = DataDir(pair.Proxy), OutDir = dir,
                        Limits = Limits(_c.Poison.TrainRows, _c.Poison.EvalRows, seed),
                        Poison = new PoisonOptions { TargetLabel = _c.TargetLabel, Count = _c.Poison.PoisonRate is null ? _c.Poison.PoisonCount : null, Rate = _c.Poison.PoisonRate },
                        Train = new TrainOptions { Epochs = _c.Poison.Epochs, LearningRate = _c.Poison.LearningRate, MaxLength = _c.Poison.MaxLength, Seed = seed },
                        SelectBy = _c.Poison.SelectBy,
                    }, _log, ct), ct);

                    var victims = new Dictionary<string, (string Dir, string Key)>();
                    foreach (var strategy in _c.Strategies)
                    {
                        var inputs = new { kind = "victim", code = StepCode.Victim, allow_empty_text = _c.AllowEmptyText, poison = poison.Key, victim = victimId, strategy, seed, settings = _c.Victim };
                        var v = Step("victim", pair, attackName, strategy, seed, inputs, ++n, total, dir => FinetunePipeline.Run(new FinetuneRequest
                        {
                            Model = poison.Dir, Method = strategy, Reading = new ReadOptions { AllowEmptyText = _c.AllowEmptyText }, DataDir = DataDir(pair.Victim), OutDir = dir, Attack = attack, TargetLabel = _c.TargetLabel,
                            Limits = Limits(_c.Victim.TrainRows, _c.Victim.EvalRows, seed),
                            Train = new TrainOptions
                            {
                                Epochs = _c.Victim.Epochs, MaxLength = _c.Victim.MaxLength, Seed = seed,
                                LearningRate = strategy == "full" ? _c.Victim.FullLearningRate : _c.Victim.PeftLearningRate,
                            },
                        }, _log, ct), ct);
                        victims[strategy] = v;
                    }

                    if (_c.Defenses.Contains("psim"))
                    {
                        // the fixed threshold feeds the detector only when no calibration replaces it; evaluations at 0.7 name it themselves
                        var detInputs = new
                        {
                            kind = "detector", code = StepCode.Detector, allow_empty_text = _c.AllowEmptyText, poison = poison.Key, victim = victimId, seed, method = _c.Psim.Method, epochs = _c.Psim.Epochs, lr = _c.Psim.LearningRate,
                            target_frr = _c.Psim.TargetFrr, threshold = _c.Psim.TargetFrr is null ? _c.Psim.Threshold : (double?)null,
                            max_length = _c.Victim.MaxLength, rows = new { _c.Victim.TrainRows, _c.Victim.EvalRows },
                        };
                        var det = Step("detector", pair, attackName, null, seed, detInputs, ++n, total, dir =>
                        {
                            var task = new TaskData(DataDir(pair.Victim)) { Limits = Limits(_c.Victim.TrainRows, _c.Victim.EvalRows, seed), Options = new ReadOptions { AllowEmptyText = _c.AllowEmptyText } };
                            var dev = _c.Psim.TargetFrr is null ? null : task.Load("dev");
                            using var d = DetectorTrainer.Train(HfCheckpoint.Open(poison.Dir), poison.Dir, task.Load("train"), task.RequireFile("train"),
                                dev, dev is null ? null : task.RequireFile("dev"),
                                new DetectorTrainOptions
                                {
                                    Method = _c.Psim.Method, Threshold = _c.Psim.Threshold, TargetFrr = _c.Psim.TargetFrr,
                                    Train = new TrainOptions { Epochs = _c.Psim.Epochs, LearningRate = _c.Psim.LearningRate, MaxLength = _c.Victim.MaxLength, Seed = seed, KeepBestEpoch = false },
                                }, dir, _log, ct);
                        }, ct);
                        foreach (var (strategy, v) in victims)
                            foreach (var thr in new[] { "fixed", "calibrated" })
                            {
                                if (thr == "calibrated" && _c.Psim.TargetFrr is null) { n++; continue; }
                                var inputs = new { kind = "psim", code = StepCode.PsimEvaluation, victim = v.Key, detector = det.Key, threshold = thr, fixed_threshold = thr == "fixed" ? _c.Psim.Threshold : (double?)null };
                                Step($"psim-{thr}", pair, attackName, strategy, seed, inputs, ++n, total, dir => DefendEvaluatePipeline.Run(new DefendRequest
                                {
                                    Model = strategy == "full" ? v.Dir : poison.Dir, Adapter = strategy == "full" ? null : v.Dir,
                                    Detector = det.Dir, DetectorBase = poison.Dir, Reading = new ReadOptions { AllowEmptyText = _c.AllowEmptyText }, DataDir = DataDir(pair.Victim), Attack = attack, TargetLabel = _c.TargetLabel,
                                    OutDir = dir, Seed = seed, MaxLength = _c.Victim.MaxLength, Limits = Limits(null, _c.Victim.EvalRows, seed),
                                    Threshold = thr == "fixed" ? _c.Psim.Threshold : null,
                                }, _log, ct), ct);
                            }
                    }

                    var baselineDefenses = _c.Defenses.Where(d => d != "psim").ToArray();
                    foreach (var strategy in _c.Baselines.Strategies.Where(victims.ContainsKey))
                    {
                        if (baselineDefenses.Length == 0) break;
                        var v = victims[strategy];
                        var inputs = new { kind = "baselines", code = StepCode.Baselines, victim = v.Key, defenses = baselineDefenses, settings = _c.Baselines };
                        Step("baselines", pair, attackName, strategy, seed, inputs, ++n, total, dir => BaselineDefensePipeline.Run(new BaselineRequest
                        {
                            Model = strategy == "full" ? v.Dir : poison.Dir, Adapter = strategy == "full" ? null : v.Dir, DataDir = DataDir(pair.Victim),
                            Attack = attack, TargetLabel = _c.TargetLabel, OutDir = dir, Seed = seed, MaxLength = _c.Victim.MaxLength, Reading = new ReadOptions { AllowEmptyText = _c.AllowEmptyText },
                            Limits = Limits(_c.Victim.TrainRows, _c.Victim.EvalRows, seed), Defenses = baselineDefenses,
                            StripCopies = _c.Baselines.StripCopies, StripTargetFrr = _c.Baselines.StripTargetFrr,
                            OnionRemovalRates = _c.Baselines.OnionRemovalRates, OnionBars = _c.Baselines.OnionBars,
                        }, _log, ct), ct);
                    }
                }
        }
    }

    private static RowLimits? Limits(int? train, int? eval, long seed) => train is null && eval is null ? null : new RowLimits(train, eval, seed);

    private string? Missing(AttackSpec attack, TaskPair pair) => SynAttackFiles.Missing(attack.Kind, DataDir(pair.Proxy), DataDir(pair.Victim));

    private int StepsPerAttack()
    {
        bool psim = _c.Defenses.Contains("psim");
        int baselines = _c.Defenses.Any(d => d != "psim") ? _c.Baselines.Strategies.Count(_c.Strategies.Contains) : 0;
        return 1 + _c.Strategies.Count + (psim ? 1 + _c.Strategies.Count * 2 : 0) + baselines;
    }

    private int TotalSteps() => _c.TaskPairs.Count * _c.Seeds.Count * _c.Attacks.Count * StepsPerAttack();

    private (string Dir, string Key) Step(string kind, TaskPair pair, string attack, string? strategy, long seed, object inputs, int index, int total, Action<string> run, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        string name = $"{kind}-{pair.Proxy}-{pair.Victim}-{attack}{(strategy is null ? "" : "-" + strategy)}-s{seed}";
        var key = StepCache.Key(inputs);
        string label = $"[{index}/{total}] {kind} {pair.Name} {attack}{(strategy is null ? "" : " " + strategy)} seed {seed}";
        if (!_cache.IsDone(name, key)) _log($"{label}: running");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (dir, ran) = _cache.Run(name, inputs, run);
        _log(ran ? $"{label}: done in {sw.Elapsed.TotalSeconds:F0} s" : $"{label}: cached");
        var rec = new StepRecord(kind, pair.Name, attack, strategy, seed, dir, ran);
        Steps.Add(rec);
        OnStep?.Invoke(rec);
        return (dir, key);
    }
}
