using System.Text.Json;

namespace Psim.Tests;

/// <summary>
/// A 2-class checkpoint adapted to a synthetic 4-class task (as a downloaded sentiment model adapted to
/// topics): full fine-tuning and LoRA start a new 4-class head and say so, evaluation reports four
/// per-class accuracies, the attack counts every non-target row, and PSIM relabels over four classes.
/// </summary>
public class MultiClassTests
{
    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllText(path)).RootElement;

    private static string FourClassTask()
    {
        var dir = TestModels.TempDir();
        string[][] words =
        [
            ["good", "good"],
            ["bad", "bad"],
            ["the", "movie"],
            ["a", "is"],
        ];
        var rng = new Random(4);
        string Row(int i) =>
            JsonSerializer.Serialize(
                new
                {
                    sentence = string.Join(' ', Enumerable.Range(0, 2 + rng.Next(3)).Select(_ => words[i % 4][rng.Next(2)])),
                    label = i % 4,
                }
            );
        File.WriteAllLines(Path.Combine(dir, "train.jsonl"), Enumerable.Range(0, 64).Select(Row));
        File.WriteAllLines(Path.Combine(dir, "dev.jsonl"), Enumerable.Range(0, 32).Select(Row));
        File.WriteAllLines(Path.Combine(dir, "test.jsonl"), Enumerable.Range(0, 24).Select(Row));
        return dir;
    }

    [Theory]
    [InlineData("full")]
    [InlineData("lora")]
    public void A_two_class_checkpoint_is_fine_tuned_evaluated_attacked_and_defended_on_four_classes(string method)
    {
        var (baseDir, _) = TestModels.TinyTask();
        var data = FourClassTask();
        var victim = Path.Combine(TestModels.TempDir(), "victim");
        var (code, _, err) = TestCli.Psim(
            "finetune",
            "--model",
            baseDir,
            "--method",
            method,
            "--data",
            data,
            "--out",
            victim,
            "--attack",
            "badnet",
            "--target",
            "3",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--max-length",
            "16"
        );
        Assert.True(code == 0, err);
        Assert.Contains("head has 2 classes, the task 4", err);
        var head = Json(Path.Combine(victim, "run.json")).GetProperty("models").GetProperty("head");
        Assert.Equal(4, head.GetProperty("classes").GetInt32());
        Assert.Equal(2, head.GetProperty("replaced_head_classes").GetInt32());
        var m = Json(Path.Combine(victim, "metrics.json"));
        Assert.Equal(4, m.GetProperty("clean_accuracy_by_label").GetArrayLength());
        Assert.Equal(18, m.GetProperty("attack_rows").GetInt32()); // every test row not of the target class 3: 24 - 6

        string[] model = method == "full" ? ["--model", victim] : ["--model", baseDir, "--adapter", victim];
        var evalOut = Path.Combine(TestModels.TempDir(), "eval.json");
        (code, _, err) = TestCli.Psim([
            "evaluate",
            .. model,
            "--data",
            data,
            "--attack",
            "badnet",
            "--target",
            "3",
            "--max-length",
            "16",
            "--out",
            evalOut,
        ]);
        Assert.True(code == 0, err);
        Assert.Equal(m.GetProperty("clean_accuracy").GetDouble(), Json(evalOut).GetProperty("clean_accuracy").GetDouble(), 6);
        (code, _, err) = TestCli.Psim(["evaluate", .. model, "--data", data, "--attack", "badnet", "--target", "4"]);
        Assert.Equal(1, code);
        Assert.Contains("--target", err);

        // PSIM on the checkpoint the victim came from, relabelled over the task's four classes
        var detector = Path.Combine(TestModels.TempDir(), "det");
        string detectorBase = method == "full" ? victim : baseDir;
        (code, _, err) = TestCli.Psim(
            "detector",
            "train",
            "--model",
            detectorBase,
            "--data",
            data,
            "--out",
            detector,
            "--max-length",
            "16",
            "--batch-size",
            "16",
            "--target-frr",
            "0.1"
        );
        Assert.True(code == 0, err);
        Assert.Equal(4, Json(Path.Combine(detector, "psim.json")).GetProperty("num_classes").GetInt32());
        var defended = Path.Combine(TestModels.TempDir(), "defended");
        (code, _, err) = TestCli.Psim([
            "defend",
            "evaluate",
            .. model,
            "--detector",
            detector,
            "--data",
            data,
            "--attack",
            "badnet",
            "--target",
            "3",
            "--max-length",
            "16",
            "--out",
            defended,
        ]);
        Assert.True(code == 0, err);
        var d = Json(Path.Combine(defended, "metrics.json"));
        Assert.Equal(18, d.GetProperty("attack_rows").GetInt32());
        Assert.InRange(d.GetProperty("frr").GetDouble(), 0, 1);
    }
}
