using System.Text.Json;
using Psim.Defense.Detection;
using Psim.IO;

namespace Psim.Tests;

/// <summary>The attacker's and victim's commands end to end on a tiny model and a synthetic task.</summary>
public class WorkflowTests
{
    private static JsonElement Metrics(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "metrics.json"))).RootElement;

    [Fact]
    public void Poison_then_finetune_with_lora_then_evaluate_and_merge()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var poisoned = Path.Combine(TestModels.TempDir(), "poisoned");
        var (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            baseDir,
            "--attack",
            "badnet",
            "--data",
            dataDir,
            "--out",
            poisoned,
            "--poison-count",
            "8",
            "--epochs",
            "2",
            "--batch-size",
            "16",
            "--max-length",
            "16",
            "--lr",
            "1e-3",
            "--select-by",
            "balanced"
        );
        Assert.True(code == 0, err);
        var m = Metrics(poisoned);
        Assert.InRange(m.GetProperty("clean_accuracy").GetDouble(), 0, 1);
        Assert.InRange(m.GetProperty("attack_success_rate").GetDouble(), 0, 1);
        Assert.Equal(8, m.GetProperty("poisoned_rows").GetInt32());
        // CA is the row-weighted mean of the per-label accuracies
        var byLabel = m.GetProperty("clean_accuracy_by_label").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(2, byLabel.Length);
        Assert.All(byLabel, a => Assert.InRange(a, 0, 1));
        Assert.InRange(m.GetProperty("clean_accuracy").GetDouble(), byLabel.Min() - 1e-9, byLabel.Max() + 1e-9);
        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(poisoned, "run.json"))).RootElement;
        Assert.Equal("finished", run.GetProperty("status").GetString());
        Assert.Equal(8, run.GetProperty("poisoned_row_ids").GetArrayLength());
        Assert.Equal(3, run.GetProperty("data").GetArrayLength());
        Assert.Equal(64, run.GetProperty("data")[0].GetProperty("sha256").GetString()!.Length);
        Assert.True(HfCheckpoint.Open(poisoned).HasClassifierHead);

        var victim = Path.Combine(TestModels.TempDir(), "victim");
        (code, _, err) = TestCli.Psim(
            "finetune",
            "--model",
            poisoned,
            "--method",
            "lora",
            "--data",
            dataDir,
            "--out",
            victim,
            "--attack",
            "badnet",
            "--epochs",
            "2",
            "--batch-size",
            "16",
            "--max-length",
            "16"
        );
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(victim, "adapter_model.safetensors")));
        var vm = Metrics(victim);
        // the backdoor through training: every epoch's clean dev accuracy (which picks the kept epoch) and dev ASR
        var epochs = vm.GetProperty("epochs").EnumerateArray().ToList();
        Assert.Equal(2, epochs.Count);
        foreach (var e in epochs)
        {
            var dev = e.GetProperty("dev");
            Assert.InRange(dev.GetProperty("dev_attack_success_rate").GetDouble(), 0, 1);
            Assert.Equal(e.GetProperty("dev_score").GetDouble(), dev.GetProperty("dev_clean_accuracy").GetDouble());
        }
        int best = vm.GetProperty("best_epoch").GetInt32();
        Assert.Equal(epochs.Max(e => e.GetProperty("dev_score").GetDouble()), epochs[best - 1].GetProperty("dev_score").GetDouble());
        Assert.Equal("lora", vm.GetProperty("method").GetString());
        Assert.True(vm.GetProperty("trainable_parameters").GetInt64() < 10_000);

        var evalOut = Path.Combine(TestModels.TempDir(), "eval.json");
        (code, var output, err) = TestCli.Psim(
            "evaluate",
            "--model",
            poisoned,
            "--adapter",
            victim,
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--max-length",
            "16",
            "--out",
            evalOut
        );
        Assert.True(code == 0, err);
        var ev = JsonDocument.Parse(File.ReadAllText(evalOut)).RootElement;
        Assert.Equal(vm.GetProperty("clean_accuracy").GetDouble(), ev.GetProperty("clean_accuracy").GetDouble(), 6);
        Assert.Equal(vm.GetProperty("attack_success_rate").GetDouble(), ev.GetProperty("attack_success_rate").GetDouble(), 6);
        Assert.Contains("ASR", output);

        var merged = Path.Combine(TestModels.TempDir(), "merged");
        (code, _, err) = TestCli.Psim("merge", "--model", poisoned, "--adapter", victim, "--out", merged);
        Assert.True(code == 0, err);
        (code, _, err) = TestCli.Psim(
            "evaluate",
            "--model",
            merged,
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--max-length",
            "16",
            "--out",
            evalOut
        );
        Assert.Equal(1, code); // an existing file is never overwritten without --force
        Assert.Contains("--force", err);
        (code, _, err) = TestCli.Psim(
            "evaluate",
            "--model",
            merged,
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--max-length",
            "16",
            "--out",
            evalOut,
            "--force"
        );
        Assert.True(code == 0, err);
        var mergedEval = JsonDocument.Parse(File.ReadAllText(evalOut)).RootElement;
        Assert.Equal(ev.GetProperty("clean_accuracy").GetDouble(), mergedEval.GetProperty("clean_accuracy").GetDouble(), 6);

        // a victim adapter refuses a base it was not trained on
        (code, _, err) = TestCli.Psim("evaluate", "--model", baseDir, "--adapter", victim, "--data", dataDir);
        Assert.Equal(1, code);
        Assert.Contains("different base weights", err);
    }

    [Fact]
    public void Baseline_defences_run_with_the_counting_rules()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        File.Copy(Path.Combine(dataDir, "test.jsonl"), Path.Combine(dataDir, "test_backtranslated.jsonl"));
        var outDir = Path.Combine(TestModels.TempDir(), "baselines");
        var (code, output, err) = TestCli.Psim(
            "defend",
            "baselines",
            "--model",
            baseDir,
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--out",
            outDir,
            "--strip-copies",
            "3",
            "--max-length",
            "16",
            "--rap-word",
            "is",
            "--rap-epochs",
            "1",
            "--onion-removal-rates",
            "0.01",
            "0.2"
        );
        Assert.True(code == 0, err);
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json"))).RootElement.EnumerateArray().ToList();
        Assert.Equal("none", results[0].GetProperty("defense").GetString());
        Assert.Equal(
            ["none", "onion", "onion", "onion", "strip", "rap", "dan", "backtranslation", "scpd"],
            results.Select(x => x.GetProperty("defense").GetString())
        );
        var onion = results.Where(x => x.GetProperty("defense").GetString() == "onion").ToList();
        Assert.Single(onion, x => x.GetProperty("selected").GetBoolean()); // the protocol's bar; the two extra bars are not ONION's result
        Assert.All(onion.Where(x => !x.GetProperty("selected").GetBoolean()), x =>
            Assert.InRange(x.GetProperty("dev_clean_accuracy").GetDouble(), 0, 1)
        );
        foreach (var name in new[] { "onion", "strip", "rap", "dan" })
        {
            var row = results.First(x => x.GetProperty("defense").GetString() == name);
            Assert.Equal(0.01, row.GetProperty("target_frr").GetDouble());
            Assert.InRange(row.GetProperty("auroc").GetDouble(), 0, 1);
            Assert.True(row.GetProperty("seconds_per1000").GetDouble() > 0);
            Assert.True(row.GetProperty("cost").GetProperty("victim_passes").GetInt32() >= 1);
            Assert.Equal(RocCurve.GridPoints, row.GetProperty("roc").GetProperty("tpr").GetArrayLength());
        }
        Assert.Equal(
            4,
            results.Single(x => x.GetProperty("defense").GetString() == "strip").GetProperty("cost").GetProperty("victim_passes").GetInt32()
        ); // 3 copies + the prediction
        var strip = results.Single(x => x.GetProperty("defense").GetString() == "strip");
        Assert.InRange(strip.GetProperty("frr").GetDouble(), 0, 1);
        // the back-translated file is the clean test set here, so CA equals the undefended CA
        var bt = results.Single(x => x.GetProperty("defense").GetString() == "backtranslation");
        Assert.Equal(results[0].GetProperty("clean_accuracy").GetDouble(), bt.GetProperty("clean_accuracy").GetDouble(), 9);
        Assert.Contains("not measurable", bt.GetProperty("note").GetString());
        Assert.Contains("no test_paraphrased file", output);

        // explicit bars (the reference's GPT-2 sweep) instead of calibrated ones
        var outDir2 = Path.Combine(TestModels.TempDir(), "baselines-bars");
        (code, _, err) = TestCli.Psim(
            "defend",
            "baselines",
            "--model",
            baseDir,
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--out",
            outDir2,
            "--defense",
            "onion",
            "--onion-bars",
            "-300",
            "-30",
            "--max-length",
            "16"
        );
        Assert.True(code == 0, err);
        var bars = JsonDocument
            .Parse(File.ReadAllText(Path.Combine(outDir2, "metrics.json")))
            .RootElement.EnumerateArray()
            .Where(x => x.GetProperty("defense").GetString() == "onion" && !x.GetProperty("selected").GetBoolean())
            .Select(x => x.GetProperty("setting").GetString())
            .ToList();
        Assert.Equal(["bar -300.0", "bar -30.0"], bars);
        (code, _, err) = TestCli.Psim(
            "defend",
            "baselines",
            "--model",
            baseDir,
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--out",
            outDir2,
            "--defense",
            "onion",
            "--onion-removal-rates",
            "2"
        );
        Assert.Equal(1, code);
        Assert.Contains("fractions between 0 and 1", err);
        (code, _, err) = TestCli.Psim(
            "defend",
            "baselines",
            "--model",
            baseDir,
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--out",
            outDir2,
            "--defense",
            "rap"
        );
        Assert.Equal(1, code);
        Assert.Contains("RAP word 'jj' is not a single wordpiece", err);
        (code, _, err) = TestCli.Psim(
            "defend",
            "baselines",
            "--model",
            baseDir,
            "--data",
            dataDir,
            "--attack",
            "badnet",
            "--out",
            outDir2,
            "--defense",
            "psim"
        );
        Assert.Equal(1, code);
        Assert.Contains("needs its detector folder", err);
    }

    [Fact]
    public void Same_seed_same_weights_across_runs()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        string Run(string seed)
        {
            var outDir = Path.Combine(TestModels.TempDir(), "victim");
            var (code, _, err) = TestCli.Psim(
                "finetune",
                "--model",
                baseDir,
                "--method",
                "ptuning",
                "--data",
                dataDir,
                "--out",
                outDir,
                "--epochs",
                "1",
                "--batch-size",
                "16",
                "--max-length",
                "16",
                "--seed",
                seed
            );
            Assert.True(code == 0, err);
            return Convert.ToHexString(
                System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(outDir, "adapter_model.safetensors")))
            );
        }
        Assert.Equal(Run("7"), Run("7"));
        Assert.NotEqual(Run("7"), Run("8"));
    }

    [Fact]
    public void Data_poison_writes_flagged_rows()
    {
        var (_, dataDir) = TestModels.TinyTask();
        var outFile = Path.Combine(TestModels.TempDir(), "poisoned.jsonl");
        var (code, _, err) = TestCli.Psim(
            "data",
            "poison",
            "--data",
            Path.Combine(dataDir, "train.jsonl"),
            "--attack",
            "insent",
            "--mode",
            "dirty-label",
            "--poison-rate",
            "0.25",
            "--out",
            outFile
        );
        Assert.True(code == 0, err);
        var rows = File.ReadAllLines(outFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(48, rows.Count);
        var flagged = rows.Where(r => r.GetProperty("poisoned").GetBoolean()).ToList();
        Assert.Equal(12, flagged.Count);
        Assert.All(flagged, r => Assert.Contains("I watched this 3D movie", r.GetProperty("sentence").GetString()));
        Assert.All(flagged, r => Assert.Equal(0, r.GetProperty("label").GetInt32()));
        Assert.All(flagged, r => Assert.Equal(1, r.GetProperty("original_label").GetInt32()));
    }

    [Fact]
    public void Task_files_with_other_field_names_are_read_with_column_flags()
    {
        var dir = TestModels.TempDir();
        var file = Path.Combine(dir, "train.jsonl");
        File.WriteAllLines(
            file,
            Enumerable.Range(0, 8).Select(i => JsonSerializer.Serialize(new { sentences = $"the movie {i}", labels = i % 2 }))
        );
        var outFile = Path.Combine(TestModels.TempDir(), "poisoned.jsonl");
        var (code, _, err) = TestCli.Psim("data", "poison", "--data", file, "--attack", "badnet", "--poison-count", "2", "--out", outFile);
        Assert.Equal(1, code);
        Assert.Contains("\"sentence\"", err);
        (code, _, err) = TestCli.Psim(
            "data",
            "poison",
            "--data",
            file,
            "--attack",
            "badnet",
            "--poison-count",
            "2",
            "--out",
            outFile,
            "--text-column",
            "sentences",
            "--label-column",
            "labels"
        );
        Assert.True(code == 0, err);
        var rows = File.ReadAllLines(outFile).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(8, rows.Count);
        Assert.Equal(2, rows.Count(r => r.GetProperty("poisoned").GetBoolean()));
        Assert.Contains(rows, r => r.GetProperty("sentence").GetString()!.StartsWith("the movie", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("test.jsonl", "no test file")]
    [InlineData("test_synattack.json", "test_synattack")]
    public void Finetune_checks_its_test_inputs_before_training(string missing, string expected)
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        if (missing != "test.jsonl")
            File.Copy(Path.Combine(dataDir, "test.jsonl"), Path.Combine(dataDir, "test_other.jsonl"));
        else
            File.Delete(Path.Combine(dataDir, missing));
        var outDir = Path.Combine(TestModels.TempDir(), "victim");
        string[] attack = missing == "test.jsonl" ? [] : ["--attack", "synattack"];
        var (code, _, err) = TestCli.Psim([
            "finetune",
            "--model",
            baseDir,
            "--method",
            "full",
            "--data",
            dataDir,
            "--out",
            outDir,
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--max-length",
            "16",
            .. attack,
        ]);
        Assert.Equal(1, code);
        Assert.Contains(expected, err);
        Assert.False(
            File.Exists(Path.Combine(outDir, "model.safetensors")),
            "a model was trained and saved before the missing input was noticed"
        );
        Assert.DoesNotContain("epoch 1", err);
    }
}
