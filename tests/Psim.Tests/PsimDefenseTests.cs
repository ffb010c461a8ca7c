using System.Text.Json;
using Psim.Data;
using Psim.Defense;
using Psim.Defense.Psim;
using Psim.IO;
using Psim.Training;

namespace Psim.Tests;

public class PsimDefenseTests
{
    [Fact]
    public void Relabelling_is_uniform_seeded_and_independent_of_the_true_label()
    {
        var rows = Enumerable.Range(0, 30_000).Select(i => new Example($"t{i}", i % 2, i)).ToList();
        var a = RandomRelabel.Apply(rows, 3, new Random(1));
        var counts = a.GroupBy(e => e.Label).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([0, 1, 2], counts.Keys.Order());
        foreach (var c in counts.Values)
            Assert.InRange(c, 9_700, 10_300);
        // independent of the original label: each original class spreads evenly over the new ones
        for (int orig = 0; orig < 2; orig++)
            foreach (var g in a.Where(e => rows[e.Index].Label == orig).GroupBy(e => e.Label))
                Assert.InRange(g.Count(), 4_800, 5_200);
        Assert.Equal(a, RandomRelabel.Apply(rows, 3, new Random(1)));
        Assert.NotEqual(a.Select(e => e.Label), RandomRelabel.Apply(rows, 3, new Random(2)).Select(e => e.Label));
        Assert.Equal(rows.Select(e => e.Text), a.Select(e => e.Text));
    }

    [Fact]
    public void Defended_counting_rules_on_a_hand_made_example()
    {
        // clean: 4 rows, 3 correct, one of the correct ones rejected -> 2/4
        Assert.Equal(0.5, DefendedCounts.CleanAccuracy([1, 0, 1, 0], [1, 0, 1, 1], [false, false, true, false]));
        // poisoned (target 0): gold 1,1,1,0 -> the last is not counted; predicted target on rows 0,1,3; row 1 rejected -> 1/3
        Assert.Equal(1.0 / 3.0, DefendedCounts.AttackSuccessRate([0, 0, 1, 0], [1, 1, 1, 0], [false, true, false, false], target: 0), 12);
    }

    [Fact]
    public void Calibration_hits_its_target_rate_on_synthetic_scores()
    {
        var rng = new Random(3);
        var calib = Enumerable.Range(0, 20_000).Select(_ => 0.5 + 0.5 * rng.NextDouble() * rng.NextDouble()).ToList();
        var heldOut = Enumerable.Range(0, 20_000).Select(_ => 0.5 + 0.5 * rng.NextDouble() * rng.NextDouble()).ToList();
        foreach (var target in new[] { 0.01, 0.05, 0.2 })
        {
            double tau = ThresholdCalibration.ForTargetFrr(calib, target);
            double frr = calib.Count(s => s > tau) / (double)calib.Count;
            Assert.InRange(frr, target - 0.001, target);
            Assert.InRange(heldOut.Count(s => s > tau) / (double)heldOut.Count, target * 0.85, target * 1.15);
        }
        Assert.Equal(0.0, ThresholdCalibration.ForTargetFrr([0.9, 0.8, 0.7], 0.0) - 0.9, 12); // nothing flagged
    }

    [Fact]
    public void Detection_metrics_on_a_hand_made_example()
    {
        double[] clean = [0.5, 0.6, 0.8, 0.55];
        double[] poisoned = [0.99, 0.95, 0.65, 0.8];
        var m = DetectionMetrics.Compute(clean, poisoned, 0.7);
        Assert.Equal(0.25, m.Frr); // 0.8 flagged
        Assert.Equal(0.25, m.Far); // 0.65 missed
        Assert.Equal(0.75, m.Precision); // 3 of 4 flagged are poisoned
        Assert.Equal(0.75, m.Recall);
        Assert.Equal(0.75, m.F1, 12);
        // pairs poisoned > clean: 0.99,0.95 beat all 4 (8); 0.65 beats 3; 0.8 beats 3 and ties 1 (3.5) -> 14.5 / 16
        Assert.Equal(14.5 / 16, m.Auroc, 12);
        Assert.Equal(1.0, DetectionMetrics.ComputeAuroc([0.1, 0.2], [0.3, 0.4]));
        Assert.Equal(0.5, DetectionMetrics.ComputeAuroc([0.5, 0.5], [0.5, 0.5]));
    }

    [Fact]
    public void Detector_trains_saves_loads_and_refuses_another_base()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var outDir = TestModels.TempDir();
        var task = new TaskData(dataDir);
        var options = new DetectorTrainOptions
        {
            TargetFrr = 0.1,
            Train = new TrainOptions
            {
                Epochs = 1,
                LearningRate = 2e-5,
                BatchSize = 16,
                MaxLength = 16,
                KeepBestEpoch = false,
                Seed = 5,
            },
        };
        using var trained = DetectorTrainer.Train(
            HfCheckpoint.Open(baseDir),
            baseDir,
            task.Load("train"),
            null,
            task.Load("dev"),
            null,
            options,
            outDir,
            _ => { }
        );
        Assert.Equal(ThresholdMode.Calibrated, trained.Settings.Threshold.How);
        Assert.True(trained.Settings.Threshold.CalibrationFrr <= 0.1);
        foreach (var f in new[] { "psim.json", "adapter_config.json", "adapter_model.safetensors", "psim_adapter.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Contains("\"P_TUNING\"", File.ReadAllText(Path.Combine(outDir, "adapter_config.json")));

        var texts = task.Load("test").Select(e => e.Text).ToList();
        using var loaded = PsimDetector.Load(outDir);
        var a = trained.Score(texts);
        var b = loaded.Score(texts);
        Assert.All(a.Zip(b), t => Assert.Equal(t.First, t.Second, 5));
        Assert.All(a, c => Assert.InRange(c, 0.5, 1.0)); // max softmax over 2 classes

        var choice = DetectorTrainer.Recalibrate(loaded, task.Load("dev"), null, 0.25, _ => { });
        Assert.InRange(choice.CalibrationFrr!.Value, 0.2, 0.25);
        Assert.Equal(choice.Threshold, PsimDetector.ReadSettings(outDir).Threshold.Threshold);

        var (otherBase, _) = TestModels.TinyTask(seed: 32);
        var e = Assert.Throws<PsimException>(() => PsimDetector.Load(outDir, HfCheckpoint.Open(otherBase)));
        Assert.Contains("trained on other weights", e.Message);
    }

    [Fact]
    public void Scan_and_predict_through_the_cli()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var detDir = TestModels.TinyDetector(baseDir, dataDir);
        var (code, _, err) = TestCli.Psim(
            "detector",
            "train",
            "--model",
            baseDir,
            "--data",
            dataDir,
            "--out",
            detDir + "2",
            "--threshold",
            "0.7",
            "--target-frr",
            "0.05"
        );
        Assert.Equal(1, code);
        Assert.Contains("not both", err);
        var input = Path.Combine(TestModels.TempDir(), "inputs.txt");
        File.WriteAllLines(input, ["the movie is good", "", "a bad movie"]);
        var (scanCode, output, _) = TestCli.Psim("scan", "--detector", detDir, "--input", input);
        Assert.Equal(0, scanCode);
        var lines = output.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        using (var doc = JsonDocument.Parse(lines[1]))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("index").GetInt32());
            Assert.InRange(doc.RootElement.GetProperty("confidence").GetDouble(), 0.5, 1.0);
        }
        // the default threshold is calibrated on clean dev to 1% FRR, not the reference's fixed 0.7
        var settingsPath = Path.Combine(detDir, "psim.json");
        var settings = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(settingsPath))!;
        Assert.Equal("calibrated", settings["threshold"]!["how"]!.GetValue<string>());
        Assert.Equal(0.01, settings["threshold"]!["target_frr"]!.GetValue<double>());
        // a threshold of 0 flags everything: --fail-on-flag makes the scan fail
        settings["threshold"]!["threshold"] = 0;
        File.WriteAllText(settingsPath, settings.ToJsonString());
        Assert.Equal(3, TestCli.Psim("scan", "--detector", detDir, "--input", input, "--fail-on-flag").Code);
        Assert.Equal(0, TestCli.Psim("scan", "--detector", detDir, "--input", input).Code);
        // ... and so far above the calibrated FRR that the summary warns (40 of 40 against ~1%)
        var many = Path.Combine(TestModels.TempDir(), "many.txt");
        File.WriteAllLines(many, Enumerable.Range(0, 40).Select(i => $"text number {i} is fine"));
        var (_, _, scanErr) = TestCli.Psim("scan", "--detector", detDir, "--input", many);
        Assert.Contains("warning: 40 of 40 inputs flagged", scanErr);
        Assert.Contains("FRR the threshold was calibrated for", scanErr);

        var (pCode, pOut, pErr) = TestCli.Psim("predict", "--model", baseDir, "--detector", detDir, "the movie is good");
        Assert.True(pCode == 0, pErr);
        using (var doc = JsonDocument.Parse(pOut.Trim()))
        {
            Assert.True(doc.RootElement.GetProperty("rejected").GetBoolean());
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("label").ValueKind);
        }
    }

    [Fact]
    public void Scan_and_predict_reject_malformed_input_clearly()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var detDir = Path.Combine(TestModels.TempDir(), "det");
        Assert.Equal(
            0,
            TestCli.Psim("detector", "train", "--model", baseDir, "--data", dataDir, "--out", detDir, "--max-length", "16").Code
        );
        var bad = Path.Combine(TestModels.TempDir(), "bad.jsonl");
        File.WriteAllText(bad, "{\"sentence\": \"fine\"}\n{\"sentence\": \n");
        var (code, _, err) = TestCli.Psim("scan", "--detector", detDir, "--input", bad);
        Assert.Equal(1, code);
        Assert.Contains("bad.jsonl:2: bad JSON", err);
        var noText = Path.Combine(TestModels.TempDir(), "none.jsonl");
        File.WriteAllText(noText, "{\"label\": 1}\n");
        var (code2, _, err2) = TestCli.Psim("predict", "--model", baseDir, "--detector", detDir, "--input", noText);
        Assert.Equal(1, code2);
        Assert.Contains("none.jsonl:1: missing or empty \"sentence\"", err2);
        var good = Path.Combine(TestModels.TempDir(), "good.txt");
        File.WriteAllText(good, "a movie\n");
        var (code3, _, err3) = TestCli.Psim("scan", "--detector", Path.Combine(detDir, "missing"), "--input", good);
        Assert.Equal(1, code3);
        Assert.Contains("detector folder not found", err3);
        Assert.DoesNotContain("   at ", err + err2 + err3);
    }
}
