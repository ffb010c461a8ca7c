using Psim.Attacks;
using Psim.Study;
using Psim.Workflows;

namespace Psim.Tests;

/// <summary>The study plan: its grid and its keys, built without training anything.</summary>
public class StudyPlanTests
{
    private static string BaseModel => TestModels.StudyBaseModel;

    private static Dictionary<string, string> Keys(StudyPlan p) => p.Steps.ToDictionary(s => s.Name, s => s.Key);

    [Fact]
    public void The_quick_preset_plans_30_steps_each_after_the_steps_it_reads()
    {
        var plan = StudyPlan.Build(TestModels.QuickStudy(), TestModels.TempDir());
        var counts = plan.Steps.GroupBy(s => s.Kind).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(
            new Dictionary<StepKind, int>
            {
                [StepKind.Poison] = 2,
                [StepKind.Victim] = 8,
                [StepKind.Detector] = 2,
                [StepKind.PsimFixed] = 8,
                [StepKind.PsimCalibrated] = 8,
                [StepKind.Baselines] = 2,
            },
            counts
        );
        var seen = new HashSet<string>();
        foreach (var s in plan.Steps)
        {
            Assert.All(s.Upstream, u => Assert.Contains(u, seen));
            Assert.True(seen.Add(s.Name), $"{s.Name} twice");
            Assert.Equal(s.Dir, ((dynamic)s.Request!.Value).OutDir);
            Assert.Equal(Path.Combine(plan.StudyDir, "steps", $"{s.Name}-{s.Key}"), s.Dir);
        }
        var victim = plan.Steps.Single(s => s.Name == "victim-imdb-sst-2-badnet-lora-s42");
        var request = Assert.IsType<StepRequest<FinetuneRequest>>(victim.Request).Request;
        Assert.Equal(plan.Steps.Single(s => s.Name == "poison-imdb-sst-2-badnet-s42").Dir, request.Model);
        Assert.Equal(2e-3, request.Train.LearningRate); // PEFT victims take the PEFT learning rate
        Assert.Equal(["poison-imdb-sst-2-badnet-s42"], victim.Upstream);
        // PSIM is compared with the baselines in one step, under one protocol: that step reads the detector too
        var baselines = plan.Steps.First(s => s.Kind == StepKind.Baselines);
        Assert.Equal(["victim-imdb-sst-2-badnet-lora-s42", "detector-imdb-sst-2-badnet-s42"], baselines.Upstream);
        var compared = Assert.IsType<StepRequest<BaselineRequest>>(baselines.Request).Request;
        Assert.Equal(plan.Steps.Single(s => s.Name == "detector-imdb-sst-2-badnet-s42").Dir, compared.Detector!.Folder);
        Assert.Equal(Psim.Defense.DefenseKind.Psim, compared.Defenses[0]);
        Assert.Equal(Defaults.DetectorTargetFrr, compared.TargetFrr);
    }

    [Fact]
    public void A_poisoning_two_task_pairs_share_is_planned_once_and_feeds_both()
    {
        var config = TestModels.QuickStudy();
        var cola = Path.Combine(config.DataRoot, "cola");
        Directory.CreateDirectory(cola);
        foreach (var split in new[] { "train", "dev", "test" })
            File.WriteAllText(Path.Combine(cola, $"{split}.jsonl"), $"{{\"sentence\": \"cola {split}\", \"label\": 1}}\n");
        var plan = StudyPlan.Build(
            config with
            {
                TaskPairs = [new("imdb", "sst-2"), new("imdb", "cola")],
                Attacks = [AttackKind.BadNet],
            },
            TestModels.TempDir()
        );
        var poison = Assert.Single(plan.Steps, s => s.Kind == StepKind.Poison); // same proxy, attack and seed: one request
        var victims = plan.Steps.Where(s => s.Kind == StepKind.Victim).ToList();
        Assert.Equal(8, victims.Count);
        Assert.All(victims, v => Assert.Equal([poison.Name], v.Upstream));
        Assert.Contains(victims, v => v.Pair.Victim == "cola");
    }

    [Fact]
    public void The_study_configs_of_bench_experiments_load_and_plan()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Psim.sln")))
            dir = dir.Parent;
        var configs = Directory.GetFiles(Path.Combine(dir.FullName, "bench", "experiments"), "*.json");
        Assert.NotEmpty(configs);
        foreach (var path in configs)
        {
            var c = StudyConfig.Load(path, StudyPreset.Quick);
            var plan = StudyPlan.Build(c with { BaseModel = BaseModel, DataRoot = TestModels.QuickStudy().DataRoot }, TestModels.TempDir());
            Assert.NotEmpty(plan.Steps);
        }
        var twenty = StudyConfig.Load(Path.Combine(dir.FullName, "bench", "experiments", "full-vs-peft-20.json"), StudyPreset.Quick);
        Assert.Equal((20, 3), (twenty.Victim.Epochs, twenty.Seeds.Count));
        Assert.Equal(StudyConfig.Quick.Poison, twenty.Poison); // the quick preset's poisoning
    }

    [Fact]
    public void Keys_do_not_depend_on_where_the_study_or_its_data_are()
    {
        var a = StudyPlan.Build(TestModels.QuickStudy(), TestModels.TempDir());
        var b = StudyPlan.Build(TestModels.QuickStudy(), TestModels.TempDir());
        Assert.Equal(Keys(a), Keys(b));
        Assert.NotEqual(a.Steps[0].Dir, b.Steps[0].Dir);
    }

    [Fact]
    public void A_changed_input_changes_the_keys_of_the_steps_it_feeds_and_no_others()
    {
        var root = TestModels.TempDir();
        var config = TestModels.QuickStudy(root);
        var before = Keys(StudyPlan.Build(config, TestModels.TempDir()));
        Dictionary<string, string> Changed(StudyConfig c) =>
            Keys(StudyPlan.Build(c, TestModels.TempDir())).Where(kv => before[kv.Key] != kv.Value).ToDictionary();
        static IEnumerable<string> Kinds(Dictionary<string, string> changed) =>
            changed.Keys.Select(n => n.Split("-imdb-")[0]).Distinct().Order();

        Assert.Equal(["psim-fixed"], Kinds(Changed(config with { Psim = config.Psim with { Threshold = 0.8 } })));
        Assert.Equal(
            ["baselines", "psim-calibrated", "psim-fixed", "victim"],
            Kinds(Changed(config with { Victim = config.Victim with { Epochs = 3 } }))
        );
        Assert.Equal(
            ["baselines"],
            Kinds(
                Changed(
                    config with
                    {
                        DefenseSettingsGiven = new() { ["strip"] = new System.Text.Json.Nodes.JsonObject { ["copies"] = 5 } },
                    }
                )
            )
        );
        var poisonOnly = Changed(config with { Poison = config.Poison with { SelectBy = EpochSelection.CleanDev } });
        Assert.Equal(30, poisonOnly.Count); // everything reads the poisoned model

        File.AppendAllText(Path.Combine(root, "sst-2", "test.jsonl"), "{\"sentence\": \"one more\", \"label\": 0}\n");
        var victimData = Changed(config);
        Assert.DoesNotContain(victimData.Keys, n => n.StartsWith("poison-", StringComparison.Ordinal));
        Assert.Equal(28, victimData.Count);
        File.AppendAllText(Path.Combine(root, "sst-2", "README.md"), "notes are not data");
        Assert.Equal(victimData, Changed(config));
    }

    [Fact]
    public void A_plan_reads_back_from_its_json_with_the_same_steps()
    {
        var plan = StudyPlan.Build(TestModels.QuickStudy(), TestModels.TempDir());
        var json = plan.ToJson();
        var back = StudyPlan.FromJson(json);
        Assert.Equal(json, back.ToJson());
        Assert.IsType<StepRequest<BaselineRequest>>(back.Steps.Last().Request);
        Assert.Contains("\"workflow\": \"defend\"", json);
        Assert.Contains("\"kind\": \"psim-calibrated\"", json);
    }

    [Fact]
    public void A_path_without_a_content_identity_cannot_enter_a_key()
    {
        var keys = new StepKey();
        var e = Assert.Throws<InvalidOperationException>(() =>
            keys.Derive(StepKind.Victim, 1, new { model = "/somewhere/model", epochs = 2 })
        );
        Assert.Contains("request.model", e.Message);
        var data = keys.Data(TestModels.QuickStudy() is var c ? Path.Combine(c.DataRoot, "imdb") : "");
        var (k1, inputs) = keys.Derive(
            StepKind.Victim,
            1,
            new
            {
                data_dir = data,
                epochs = 2,
                out_dir = "/ignored",
            }
        );
        Assert.DoesNotContain("/", inputs.ToJsonString().Replace("\\/", "")); // no path left in what the key hashes
        Assert.NotEqual(k1, keys.Derive(StepKind.Victim, 2, new { data_dir = data, epochs = 2 }).Key); // the code version is part of it
        Assert.Equal(k1, keys.Derive(StepKind.Victim, 1, new { data_dir = data, epochs = 2 }).Key); // the output folder is not
    }
}

/// <summary>
/// Cache keys change only on purpose: a request record that gains a serialised member (a computed
/// property, a renamed field) changes every key and recomputes every study. Update the pinned keys
/// together with the README's key-change commit when a change is meant.
/// </summary>
public class StepKeyPinTests
{
    [Fact]
    public void The_keys_of_fixed_requests_are_pinned()
    {
        var task = new Psim.Workflows.TaskInput { DataDir = "data/imdb" };
        var attack = new Psim.Workflows.AttackInput { Spec = new Psim.Attacks.AttackSpec(Psim.Attacks.AttackKind.BadNet) };
        var poison = new Psim.Workflows.PoisonRequest
        {
            Task = task,
            BaseModel = "minilm",
            Attack = attack,
            OutDir = "",
        };
        var victim = new Psim.Workflows.FinetuneRequest
        {
            Task = task,
            Model = "poisoned",
            Method = Psim.Peft.TuningMethod.Lora,
            Attack = attack,
            OutDir = "",
        };
        var defend = new Psim.Workflows.DefendRequest
        {
            Task = task,
            Victim = new() { Model = "poisoned", Adapter = "victim" },
            Attack = attack,
            Detector = new() { Folder = "detector", Base = "poisoned" },
            OutDir = "",
        };
        string Key(StepKind kind, object r) => new StepKey().Derive(kind, 3, r).Key;
        Assert.Equal(
            ["d686f8dd56c4272b", "44b0346355cf0fcc", "99a15847ed7b074a"],
            new[] { Key(StepKind.Poison, poison), Key(StepKind.Victim, victim), Key(StepKind.PsimFixed, defend) }
        );
    }
}
