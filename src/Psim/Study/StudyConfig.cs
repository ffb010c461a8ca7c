using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Psim.Attacks;
using Psim.Defense;
using Psim.Peft;
using Psim.Workflows;

namespace Psim.Study;

/// <summary>
/// The study's starting points: <c>quick</c> (one pair, fewer rows and epochs), <c>paper</c> (the reference
/// settings) and <c>attacks</c> (the weight-poisoning attacks at the quick preset's sizes, issue 13).
/// </summary>
public enum StudyPreset
{
    Quick,
    Paper,
    Attacks,
}

/// <summary>A proxy corpus the attacker poisons on, and the victim task the poisoned model is adapted to.</summary>
public sealed record TaskPair([property: JsonPropertyName("proxy")] string Proxy, [property: JsonPropertyName("victim")] string Victim)
{
    public string Name => $"{Proxy}->{Victim}";
}

public sealed record PoisonSettings
{
    [JsonPropertyName("epochs")]
    public int Epochs { get; init; } = 3;

    [JsonPropertyName("lr")]
    public double LearningRate { get; init; } = Defaults.FullLearningRate;

    [JsonPropertyName("max_length")]
    public int MaxLength { get; init; } = Defaults.PoisonMaxLength;

    [JsonPropertyName("poison_count")]
    public int? PoisonCount { get; init; } = Defaults.PoisonCount;

    [JsonPropertyName("poison_rate")]
    public double? PoisonRate { get; init; }

    [JsonPropertyName("select_by")]
    public EpochSelection SelectBy { get; init; } = EpochSelection.PoisonedDev;

    [JsonPropertyName("train_rows")]
    public int? TrainRows { get; init; }

    [JsonPropertyName("eval_rows")]
    public int? EvalRows { get; init; }
}

public sealed record VictimSettings
{
    [JsonPropertyName("epochs")]
    public int Epochs { get; init; } = 20;

    [JsonPropertyName("full_lr")]
    public double FullLearningRate { get; init; } = Defaults.FullLearningRate;

    [JsonPropertyName("peft_lr")]
    public double PeftLearningRate { get; init; } = Defaults.PeftLearningRate;

    [JsonPropertyName("max_length")]
    public int MaxLength { get; init; } = Defaults.MaxLength;

    [JsonPropertyName("train_rows")]
    public int? TrainRows { get; init; }

    [JsonPropertyName("eval_rows")]
    public int? EvalRows { get; init; }
}

public sealed record PsimSettings
{
    [JsonPropertyName("method")]
    public TuningMethod Method { get; init; } = TuningMethod.PTuning;

    [JsonPropertyName("epochs")]
    public int Epochs { get; init; } = 1;

    [JsonPropertyName("lr")]
    public double LearningRate { get; init; } = Defaults.FullLearningRate;

    [JsonPropertyName("threshold")]
    public double Threshold { get; init; } = Defaults.PsimThreshold;

    /// <summary>The detector's threshold calibrated on clean dev to this FRR (the psim-calibrated steps); null: the fixed threshold only. The psim-fixed steps report the fixed threshold beside it.</summary>
    [JsonPropertyName("target_frr")]
    public double? TargetFrr { get; init; } = Defaults.DetectorTargetFrr;
}

public sealed record BaselineSettings
{
    /// <summary>Which victim strategies the baseline defences are run on (they are costly: STRIP runs the victim N times per input).</summary>
    [JsonPropertyName("strategies")]
    public List<TuningMethod> Strategies { get; init; } = [TuningMethod.Full, TuningMethod.Lora];

    /// <summary>The clean dev FRR every detector's threshold is set to (PSIM, ONION, STRIP, RAP, DAN alike; docs/metrics.md).</summary>
    [JsonPropertyName("target_frr")]
    public double TargetFrr { get; init; } = Defaults.DetectorTargetFrr;
}

/// <summary>
/// The whole study of spec §1-6 as data: which base model, task pairs, attacks, victim strategies,
/// defences, seeds and training settings. Read from JSON (comments and trailing commas allowed).
/// </summary>
public sealed record StudyConfig
{
    [JsonPropertyName("base_model")]
    public string BaseModel { get; init; } = "minilm";

    [JsonPropertyName("data_root")]
    public string DataRoot { get; init; } = "../shared/datasets";

    [JsonPropertyName("task_pairs")]
    public List<TaskPair> TaskPairs { get; init; } = [new("imdb", "sst-2"), new("mr", "cr"), new("sst-2", "cola")];

    [JsonPropertyName("attacks")]
    public List<AttackKind> Attacks { get; init; } = [AttackKind.BadNet, AttackKind.InSent, AttackKind.SynAttack];

    [JsonPropertyName("strategies")]
    public List<TuningMethod> Strategies { get; init; } = [.. Enum.GetValues<TuningMethod>()];

    [JsonPropertyName("defenses")]
    public List<DefenseKind> Defenses { get; init; } =
    [
        DefenseKind.Psim,
        DefenseKind.Onion,
        DefenseKind.Strip,
        DefenseKind.Rap,
        DefenseKind.Dan,
        DefenseKind.Backtranslation,
        DefenseKind.Scpd,
    ];

    [JsonPropertyName("seeds")]
    public List<long> Seeds { get; init; } = [Defaults.Seed];

    [JsonPropertyName("target_label")]
    public int TargetLabel { get; init; }

    /// <summary>Keep rows with empty text as empty inputs (the released CR train and paraphrased test files have a few); false: stop at them.</summary>
    [JsonPropertyName("allow_empty_text")]
    public bool AllowEmptyText { get; init; } = true;

    [JsonPropertyName("poison")]
    public PoisonSettings Poison { get; init; } = new();

    [JsonPropertyName("victim")]
    public VictimSettings Victim { get; init; } = new();

    [JsonPropertyName("psim")]
    public PsimSettings Psim { get; init; } = new();

    [JsonPropertyName("baselines")]
    public BaselineSettings Baselines { get; init; } = new();

    [JsonPropertyName("slurm")]
    public SlurmSettings Slurm { get; init; } = new();

    /// <summary>
    /// The attacks' own settings by options group, as <c>psim poison</c>'s <c>--GROUP-SETTING</c> flags give them
    /// (<c>{"ripple": {"lambda": 0.5}}</c>), for every attack of the study that reads the group; a setting not
    /// given keeps its record's default.
    /// </summary>
    [JsonPropertyName("attack_options")]
    public Dictionary<string, JsonObject> AttackSettings { get; init; } = [];

    /// <summary>
    /// The defences' own settings by group, as <c>psim defend baselines</c>' <c>--GROUP-SETTING</c> flags give them
    /// (<c>{"rap": {"epochs": 10}}</c>; groups in <see cref="DefenseSettings"/>); a setting not given keeps its record's default.
    /// </summary>
    [JsonPropertyName("defense_options")]
    public Dictionary<string, JsonObject> DefenseSettingsGiven { get; init; } = [];

    /// <summary>The settings the study gives the defence whose record is <typeparamref name="T"/> (its defaults where the config gives none).</summary>
    public T DefenseOptions<T>()
        where T : ICheckedOptions
    {
        var group = DefenseSettings.Of(typeof(T));
        return (T)(
            DefenseSettingsGiven.TryGetValue(group.Name, out var values)
                ? group.Read(values, $"defense_options.{group.Name}")
                : group.Defaults()
        );
    }

    /// <summary>The settings the study gives <paramref name="kind"/> (null: its defaults, so that keys change only when a setting does).</summary>
    public AttackOptions? OptionsFor(AttackKind kind)
    {
        if (AttackCatalog.Of(kind).Options is not { } group || !AttackSettings.TryGetValue(group.Name, out var values))
            return null;
        var options = group.Read(values, $"attack_options.{group.Name}");
        return options == group.Defaults() ? null : options;
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new VocabularyJsonConverter() },
    };

    /// <summary>The reference settings (spec §2-4): 3 poisoning epochs, 20 victim epochs, every pair, attack, strategy and defence.</summary>
    public static StudyConfig Paper => new();

    /// <summary>One task pair, BadNet and InSent, fewer rows and epochs: 16-26 minutes on a 2-core machine, depending on the machine (docs/quick-study).</summary>
    public static StudyConfig Quick =>
        new()
        {
            TaskPairs = [new("imdb", "sst-2")],
            Attacks = [AttackKind.BadNet, AttackKind.InSent],
            Strategies = [TuningMethod.Full, TuningMethod.Lora, TuningMethod.PTuning, TuningMethod.Prefix],
            // all 4,000 IMDB rows with the reference's 1,500 poisoned, 2 epochs at length 128 (reference: 3 at 512)
            Poison = new PoisonSettings { Epochs = 2, MaxLength = 128 },
            // 4,000 of SST-2's 6,920 training rows, 2 epochs (reference: all, 20); 1,000 dev and test rows
            Victim = new VictimSettings
            {
                Epochs = 2,
                TrainRows = 4000,
                EvalRows = 1000,
            },
            Baselines = new BaselineSettings { Strategies = [TuningMethod.Lora] },
            DefenseSettingsGiven = new() { ["strip"] = new JsonObject { ["copies"] = 10 } },
        };

    /// <summary>
    /// The weight-poisoning attacks (EP, SOS, LWP, RIPPLe, RIPPLES; cheapest first) at the quick preset's sizes,
    /// against victims by full fine-tuning, LoRA and P-tuning v2, with PSIM calibrated to 1% FRR on clean dev,
    /// and PSIM, ONION, STRIP, RAP and DAN compared at 1% FRR on the LoRA victims (docs/notebook/results.md). These attacks relabel the rows they poison
    /// (dirty-label), so 10% of the proxy rows are poisoned, not the reference's 1,500 clean-label rows: 1,500
    /// relabelled rows of 4,000 flip 73% of IMDB's positive rows, and RIPPLe's model then calls everything negative.
    /// </summary>
    public static StudyConfig AttackFamily =>
        Quick with
        {
            Poison = Quick.Poison with { PoisonCount = null, PoisonRate = 0.1 },
            Attacks = [AttackKind.Ep, AttackKind.Sos, AttackKind.Lwp, AttackKind.Ripple, AttackKind.Ripples],
            Strategies = [TuningMethod.Full, TuningMethod.Lora, TuningMethod.Prefix],
            Defenses = [DefenseKind.Psim, DefenseKind.Onion, DefenseKind.Strip, DefenseKind.Rap, DefenseKind.Dan],
        };

    public static StudyConfig For(StudyPreset preset) =>
        preset switch
        {
            StudyPreset.Quick => Quick,
            StudyPreset.Paper => Paper,
            StudyPreset.Attacks => AttackFamily,
            _ => throw new ArgumentOutOfRangeException(nameof(preset), preset, null),
        };

    /// <summary>
    /// The preset, with the fields a config file gives (JSON, comments and trailing commas allowed)
    /// overriding it: a top-level field replaces the preset's, a field of a section (<c>poison</c>,
    /// <c>victim</c>, ...) replaces that field only. Unknown fields and names are refused.
    /// </summary>
    public static StudyConfig Load(string? path, StudyPreset preset)
    {
        var basis = For(preset);
        if (path is null)
            return basis;
        if (!File.Exists(path))
            throw new PsimException($"{path}: config file not found");
        var merged = JsonNode.Parse(JsonSerializer.Serialize(basis, Json))!.AsObject();
        try
        {
            if (
                Files.Json.Parse(
                    path,
                    Files.StrictText.ReadAll(path),
                    new JsonDocumentOptions
                    {
                        CommentHandling = JsonCommentHandling.Skip,
                        AllowTrailingCommas = true,
                        AllowDuplicateProperties = false,
                    }
                )
                is not JsonObject file
            )
                throw new PsimFormatException($"{path}: the config must be a JSON object");
            RenamedFields(file, path);
            foreach (var (k, v) in file)
            {
                if (v is JsonObject section && merged[k] is JsonObject target)
                    foreach (var (sk, sv) in section)
                        target[sk] = sv?.DeepClone();
                else
                    merged[k] = v?.DeepClone();
            }
            var c = merged.Deserialize<StudyConfig>(Json) ?? throw new PsimFormatException($"{path}: empty config");
            c.Validate(path);
            return c;
        }
        catch (JsonException e)
        {
            throw new PsimFormatException(
                e.Path is { } at && !e.Message.Contains(at) ? $"{path}: {at.TrimStart('$', '.')}: {e.Message}" : $"{path}: {e.Message}"
            );
        }
    }

    /// <summary>
    /// Fields a study config of an earlier psim had, read where they are now (study folders written before keep
    /// working): <c>baselines.strip_copies</c>, <c>baselines.onion_removal_rates</c> and <c>baselines.onion_bars</c>
    /// are <c>defense_options.strip.copies</c>, <c>defense_options.onion.removal_rates</c> and <c>.bars</c>.
    /// </summary>
    private static void RenamedFields(JsonObject file, string path)
    {
        if (file["baselines"] is not JsonObject baselines)
            return;
        foreach (
            var (old, group, name) in new[]
            {
                ("strip_copies", "strip", "copies"),
                ("onion_removal_rates", "onion", "removal_rates"),
                ("onion_bars", "onion", "bars"),
            }
        )
        {
            if (!baselines.TryGetPropertyValue(old, out var value))
                continue;
            baselines.Remove(old);
            if (value is null)
                continue; // null was "not given"
            var options = file["defense_options"] as JsonObject ?? (JsonObject)(file["defense_options"] = new JsonObject());
            var settings = options[group] as JsonObject ?? (JsonObject)(options[group] = new JsonObject());
            if (settings.ContainsKey(name))
                throw new PsimFormatException(
                    $"{path}: baselines.{old} and defense_options.{group}.{name} are the same setting; give it once"
                );
            settings[name] = value.DeepClone();
        }
    }

    public void Validate(string source)
    {
        void Need(bool ok, string what)
        {
            if (!ok)
                throw new PsimFormatException($"{source}: {what}");
        }
        Need(TaskPairs.Count > 0, "task_pairs is empty");
        Need(Attacks.Count > 0, "attacks is empty");
        Need(Strategies.Count > 0, "strategies is empty");
        Need(Psim.Method.IsPeft(), $"psim.method must be a PEFT method, not {Psim.Method.Name()}");
        Need(Seeds.Count > 0, "seeds is empty");
        Need(Baselines.TargetFrr is >= 0 and < 1, $"baselines.target_frr {Baselines.TargetFrr} must be in [0, 1)");
        Need(Poison.Epochs > 0 && Victim.Epochs > 0 && Psim.Epochs > 0, "epochs must be positive");
        Need(Slurm.CpusPerStep > 0, "slurm.cpus_per_step must be positive");
        foreach (var (name, values) in DefenseSettingsGiven)
        {
            var group = DefenseSettings.Group(name);
            Need(
                group is not null,
                $"defense_options.{name}: no defence has settings named so; valid: {string.Join(", ", DefenseSettings.Groups.Select(g => g.Group.Name))}"
            );
            group!.Read(values, $"{source}: defense_options.{name}");
        }
        foreach (var (name, values) in AttackSettings)
        {
            var group = AttackCatalog.Group(name);
            Need(
                group is not null,
                $"attack_options.{name}: no attack has settings named so; valid: {string.Join(", ", AttackCatalog.Groups.Select(g => g.Name))}"
            );
            group!.Read(values, $"{source}: attack_options.{name}");
            var readers = AttackCatalog.KindsOf(group);
            Need(
                Attacks.Any(readers.Contains),
                $"attack_options.{name}: no attack of the study reads these settings (they are {string.Join(" and ", readers.Select(k => Vocabulary<AttackKind>.Name(k)))}'s; the study's attacks are {string.Join(", ", Attacks.Select(k => Vocabulary<AttackKind>.Name(k)))})"
            );
        }
    }
}
