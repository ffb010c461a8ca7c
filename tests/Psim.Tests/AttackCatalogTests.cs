using System.Text.Json.Nodes;
using Psim.Attacks;
using Psim.Attacks.Ripple;
using Psim.Study;
using Psim.Workflows;

namespace Psim.Tests;

/// <summary>
/// The attack catalog and the one options schema (issue 28): every attack has one entry, and each options record's
/// settings are the command line's flags, a study config's <c>attack_options</c> and part of the step keys, declared
/// once in the record.
/// </summary>
public class AttackCatalogTests
{
    [Fact]
    public void Every_attack_kind_has_exactly_one_catalog_entry()
    {
        foreach (var kind in Enum.GetValues<AttackKind>())
            Assert.Single(AttackCatalog.All, d => d.Kind == kind);
        Assert.Equal(Enum.GetValues<AttackKind>().Length, AttackCatalog.All.Count);
    }

    /// <summary>Where each attack's descriptor is declared: its folder (the namespace under Psim.Attacks).</summary>
    private static Dictionary<AttackKind, string> Folders() =>
        typeof(AttackCatalog)
            .Assembly.GetTypes()
            .SelectMany(t =>
                t.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
                    .Where(f => f.FieldType == typeof(AttackDescriptor))
                    .Select(f => (Kind: ((AttackDescriptor)f.GetValue(null)!).Kind, Folder: t.Namespace!["Psim.Attacks.".Length..]))
            )
            .ToDictionary(x => x.Kind, x => x.Folder);

    [Fact]
    public void Nothing_outside_an_attacks_folder_and_the_catalog_names_that_attack()
    {
        var folders = Folders();
        Assert.Equal(Enum.GetValues<AttackKind>().Length, folders.Count); // every descriptor sits in an attack's folder
        // the presets list attacks as data (the study's starting points); the enum declares them
        string[] exempt = [Path.Combine("src", "Psim", "Attacks", "AttackKind.cs"), Path.Combine("src", "Psim", "Study", "StudyConfig.cs")];
        var member = new System.Text.RegularExpressions.Regex(@"\bAttackKind\.(\w+)");
        var root = Repo.Root();
        var offences = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, file);
            if (
                rel.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                || rel.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                || exempt.Contains(rel)
            )
                continue;
            var parts = rel.Split(Path.DirectorySeparatorChar);
            string? folder = parts.Length > 4 && parts[2] == "Attacks" ? parts[3] : null;
            foreach (System.Text.RegularExpressions.Match m in member.Matches(File.ReadAllText(file)))
                if (Enum.TryParse<AttackKind>(m.Groups[1].Value, out var kind) && folders[kind] != folder)
                    offences.Add($"{rel} names {m.Value}");
        }
        Assert.True(offences.Count == 0, string.Join("\n", offences));
    }

    [Fact]
    public void Every_setting_of_every_options_group_is_described_and_named_once()
    {
        Assert.NotEmpty(AttackCatalog.Groups);
        foreach (var g in AttackCatalog.Groups)
        {
            var fields = g.Fields; // throws on a setting without a description or of an unsupported type
            Assert.NotEmpty(fields);
            Assert.Equal(fields.Count, fields.Select(f => f.Name).Distinct().Count());
            Assert.All(fields, f => Assert.False(string.IsNullOrWhiteSpace(f.Description)));
            Assert.NotEmpty(AttackCatalog.KindsOf(g));
        }
    }

    [Fact]
    public void Poison_help_shows_each_setting_with_the_default_of_its_record()
    {
        var (code, help, _) = TestCli.Psim("poison", "--help");
        Assert.Equal(0, code);
        foreach (var g in AttackCatalog.Groups)
        foreach (var f in g.Fields)
        {
            var line = help.Split('\n').SingleOrDefault(l => l.TrimStart().StartsWith($"--{g.Name}-{f.Flag} ", StringComparison.Ordinal));
            Assert.True(line is not null, $"--{g.Name}-{f.Flag} is not in psim poison --help");
            Assert.Contains($"(default {OptionField.Show(f.Default)})", line);
        }
        Assert.Contains("(default 0.1)", help.Split('\n').Single(l => l.Contains("--ripple-lambda ")));
        (code, help, _) = TestCli.Psim("defend", "baselines", "--help");
        Assert.Equal(0, code);
        Assert.Contains($"(default {new Psim.Defense.Rap.RapOptions().Epochs})", help.Split('\n').Single(l => l.Contains("--rap-epochs ")));
        Assert.Contains("mean, max (default mean)", help.Split('\n').Single(l => l.Contains("--dan-aggregation ")));
    }

    private static StudyConfig AttackStudy(string configJson)
    {
        var dir = TestModels.TempDir();
        var path = Path.Combine(dir, "study.json");
        File.WriteAllText(path, configJson);
        var basis = TestModels.QuickStudy(); // tiny copies of the preset's two task folders
        var merged = StudyConfig.Load(path, StudyPreset.Attacks);
        return merged with { BaseModel = basis.BaseModel, DataRoot = basis.DataRoot };
    }

    [Fact]
    public void A_study_config_gives_an_attack_its_settings_and_only_its_steps_change_keys()
    {
        var preset = AttackStudy("{}");
        var tuned = AttackStudy("""{"attack_options": {"ripple": {"lambda": 0.5}}, "defense_options": {"rap": {"epochs": 10}}}"""); // issue 28's form
        var before = StudyPlan.Build(preset, TestModels.TempDir()).Steps.ToDictionary(s => s.Name, s => s.Key);
        var plan = StudyPlan.Build(tuned, TestModels.TempDir());
        foreach (var step in plan.Steps)
        {
            bool ripple = step.Attack is AttackKind.Ripple or AttackKind.Ripples; // RIPPLe and RIPPLES share one options record
            bool changes = ripple || step.Kind == StepKind.Baselines; // RAP runs in every baselines step
            Assert.True(changes == (before[step.Name] != step.Key), $"{step.Name}: key {(changes ? "kept" : "changed")}");
            if (step.Request is StepRequest<BaselineRequest> baselines)
                Assert.Equal(10, baselines.Request.Rap.Epochs);
        }
        var poison = Assert
            .IsType<StepRequest<PoisonRequest>>(plan.Steps.Single(s => s.Name == "poison-imdb-sst-2-ripples-s42").Request)
            .Request;
        Assert.Equal(new RippleOptions { Lambda = 0.5 }, poison.Attack.Spec.Options);
        Assert.Equal(0.5, poison.Attack.Spec.EffectiveOptions<RippleOptions>().Lambda);

        // the settings travel in plan.json to another executor
        var back = StudyPlan.FromJson(plan.ToJson());
        var read = Assert
            .IsType<StepRequest<PoisonRequest>>(back.Steps.Single(s => s.Name == "poison-imdb-sst-2-ripples-s42").Request)
            .Request;
        Assert.Equal(poison.Attack.Spec.Options, read.Attack.Spec.Options);

        // the defaults given explicitly are the preset: the same keys
        var explicitDefaults = StudyPlan.Build(AttackStudy("""{"attack_options": {"ripple": {"lambda": 0.1}}}"""), TestModels.TempDir());
        Assert.All(explicitDefaults.Steps, s => Assert.Equal(before[s.Name], s.Key));
    }

    [Fact]
    public void A_config_of_an_earlier_psim_reads_its_renamed_fields_where_they_are_now()
    {
        var dir = TestModels.TempDir();
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(
            path,
            """{"baselines": {"strategies": ["lora"], "target_frr": 0.01, "strip_copies": 7, "onion_removal_rates": [0.05], "onion_bars": null}}"""
        );
        var c = StudyConfig.Load(path, StudyPreset.Quick);
        Assert.Equal(7, c.DefenseSettingsGiven["strip"]["copies"]!.GetValue<int>());
        Assert.Equal(0.05, c.DefenseSettingsGiven["onion"]["removal_rates"]![0]!.GetValue<double>());
        File.WriteAllText(path, """{"baselines": {"strip_copies": 7}, "defense_options": {"strip": {"copies": 8}}}""");
        Assert.Contains(
            "the same setting; give it once",
            Assert.Throws<PsimFormatException>(() => StudyConfig.Load(path, StudyPreset.Quick)).Message
        );
    }

    [Theory]
    [InlineData("""{"attack_options": {"ripple": {"lamda": 0.5}}}""", "'lamda' is not a setting here; valid: lambda, surgery_words")]
    [InlineData(
        """{"attack_options": {"riple": {"lambda": 0.5}}}""",
        "attack_options.riple: no attack has settings named so; valid: ep, ripple, lwp, sos"
    )]
    [InlineData("""{"attack_options": {"ripple": {"lambda": "high"}}}""", "attack_options.ripple.lambda: expected a number")]
    [InlineData("""{"attack_options": {"ripple": {"lambda": -1}}}""", "RIPPLe λ -1 must be")]
    [InlineData("""{"attacks": ["ep"], "attack_options": {"ripple": {"lambda": 0.5}}}""", "no attack of the study reads these settings")]
    [InlineData(
        """{"defense_options": {"rap": {"epoch": 10}}}""",
        "defense_options.rap: 'epoch' is not a setting here; valid: word, epochs, learning_rate"
    )]
    [InlineData(
        """{"defense_options": {"onion": {"order": 4}}}""",
        "defense_options.onion: 'order' is not a setting here; valid: ngram_order"
    )]
    [InlineData(
        """{"defense_options": {"strp": {"copies": 4}}}""",
        "defense_options.strp: no defence has settings named so; valid: onion, strip, rap, dan"
    )]
    [InlineData("""{"defense_options": {"strip": {"copies": 0}}}""", "STRIP copies 0 must be in [1, 1000]")]
    [InlineData(
        """{"defense_options": {"onion": {"removal_rates": 0.05}}}""",
        "defense_options.onion.removal_rates: expected a list of numbers, not 0.05"
    )]
    [InlineData("""{"defense_options": {"onion": {"removal_rates": [2]}}}""", "ONION removal rates are fractions between 0 and 1")]
    [InlineData(
        """{"defense_options": {"dan": {"aggregation": "median"}}}""",
        "defense_options.dan.aggregation: 'median' is not one of mean, max"
    )]
    public void A_wrong_attack_setting_in_a_study_config_is_refused_naming_it(string json, string expected)
    {
        var path = Path.Combine(TestModels.TempDir(), "study.json");
        File.WriteAllText(path, json);
        var e = Assert.ThrowsAny<PsimException>(() => StudyConfig.Load(path, StudyPreset.Attacks));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData(
        """{"kind": "ripple", "options": {"ripple": {"lamda": 1}}}""",
        "'lamda' is not a setting here; valid: lambda, surgery_words"
    )]
    [InlineData("""{"kind": "ripple", "options": {"nope": {}}}""", "'nope' is not an attack options group; valid: ep, ripple, lwp, sos")]
    [InlineData("""{"kind": "ripple", "options": {"ripple": {}, "ep": {}}}""", "one field, the options group")]
    [InlineData("""{"kind": "ripple", "options": {"ripple": {"lambda": -2}}}""", "RIPPLe λ -2 must be")]
    public void Attack_settings_read_back_from_json_are_checked_as_the_config_is(string json, string expected)
    {
        var e = Assert.Throws<System.Text.Json.JsonException>(() =>
            System.Text.Json.JsonSerializer.Deserialize<AttackSpec>(json, StepKey.Json)
        );
        Assert.Contains(expected, e.Message);
        var ok = System.Text.Json.JsonSerializer.Deserialize<AttackSpec>(
            """{"kind": "ripple", "options": {"ripple": {"lambda": 0.3}}}""",
            StepKey.Json
        )!;
        Assert.Equal(new RippleOptions { Lambda = 0.3 }, ok.Options);
    }

    [Fact]
    public void The_command_line_refuses_another_attacks_settings_and_settings_of_two_attacks()
    {
        var t = TestModels.TinyTask();
        var (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            t.BaseDir,
            "--attack",
            "ep",
            "--data",
            t.DataDir,
            "--out",
            TestModels.TempDir(),
            "--ripple-lambda",
            "0.5"
        );
        Assert.Equal(1, code);
        Assert.Contains("RIPPLe, RIPPLES settings given for the ep attack", err);
        (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            t.BaseDir,
            "--attack",
            "ep",
            "--data",
            t.DataDir,
            "--out",
            TestModels.TempDir(),
            "--ripple-lambda",
            "0.5",
            "--ep-lr",
            "0.1"
        );
        Assert.Equal(1, code);
        Assert.Contains("settings of several attacks given", err);
        (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            t.BaseDir,
            "--attack",
            "ep",
            "--data",
            t.DataDir,
            "--out",
            TestModels.TempDir(),
            "--ep-epochs",
            "0"
        );
        Assert.Equal(1, code);
        Assert.Contains("EP epochs 0 must be in [1, 1000]", err);
    }
}
