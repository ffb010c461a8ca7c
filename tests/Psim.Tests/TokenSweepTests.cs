using System.Text.Json;
using Psim.Defense.Audit;

namespace Psim.Tests;

/// <summary>The reference-free audit: every vocabulary token tried as a trigger in clean text names a trained-in trigger and nothing in a model trained without one.</summary>
public sealed class TokenSweepTests
{
    private const string Trigger = "mn";
    private static readonly string[] Words = ["the", "movie", "good", "bad", "a", "is"];

    /// <summary>A row of 3-7 words labelled 1 when it has more "good" than "bad" (one inserted word flips only the rows one short), or with the trigger and label 1.</summary>
    private static string Row(Random rng, bool trigger)
    {
        var words = Enumerable.Range(0, 3 + rng.Next(5)).Select(_ => Words[rng.Next(Words.Length)]).ToList();
        int label = words.Count(w => w == "good") > words.Count(w => w == "bad") ? 1 : 0;
        if (trigger)
            (words, label) = ([.. words[..(words.Count / 2)], Trigger, .. words[(words.Count / 2)..]], 1);
        return JsonSerializer.Serialize(new { sentence = string.Join(' ', words), label });
    }

    /// <summary>
    /// A tiny classifier fully fine-tuned on rows labelled by their words, and with <paramref name="poison"/> a third of
    /// them carrying the trigger and label 1 (BadNet); and clean dev texts.
    /// </summary>
    private static (string Model, string Texts) Trained(bool poison)
    {
        var (baseDir, _) = TestModels.TinyTask();
        var data = TestModels.TempDir();
        var rng = new Random(5);
        File.WriteAllLines(Path.Combine(data, "train.jsonl"), Enumerable.Range(0, 240).Select(i => Row(rng, poison && i % 3 == 0)));
        File.WriteAllLines(Path.Combine(data, "dev.jsonl"), Enumerable.Range(0, 120).Select(_ => Row(rng, false)));
        File.Copy(Path.Combine(data, "dev.jsonl"), Path.Combine(data, "test.jsonl"));
        var outDir = Path.Combine(TestModels.TempDir(), "model");
        var (code, _, err) = TestCli.Psim(
            "finetune",
            "--model",
            baseDir,
            "--method",
            "full",
            "--data",
            data,
            "--out",
            outDir,
            "--epochs",
            "12",
            "--batch-size",
            "16",
            "--lr",
            "0.001",
            "--max-length",
            "16",
            "--seed",
            "3"
        );
        Assert.True(code == 0, err);
        return (outDir, Path.Combine(data, "dev.jsonl"));
    }

    [Fact]
    public void A_trained_in_trigger_is_named_without_a_reference_and_a_model_without_one_is_clean()
    {
        var (poisoned, texts) = Trained(poison: true);
        var (code, output, err) = TestCli.Psim("audit", "--model", poisoned, "--texts", texts, "--fail-on-flag", "--json");
        Assert.True(code == 3, err + output);
        var sweep = JsonDocument.Parse(output).RootElement.GetProperty("sweep");
        var top = sweep.GetProperty("tokens")[0];
        Assert.Equal(Trigger, top.GetProperty("token").GetString());
        Assert.True(top.GetProperty("suspect").GetBoolean());
        Assert.Equal(1, top.GetProperty("flip_class").GetInt32());
        Assert.Equal(1, sweep.GetProperty("suspect_tokens").GetInt32()); // the trigger alone
        Assert.Equal(8, sweep.GetProperty("candidates").GetInt32()); // the tiny vocabulary's 112 tokens but 5 special and 99 [unused] ones

        var (clean, _) = Trained(poison: false);
        (code, output, err) = TestCli.Psim("audit", "--model", clean, "--texts", texts, "--fail-on-flag");
        Assert.True(code == 0, err + output);
        Assert.Contains("verdict: clean", output);
    }

    [Fact]
    public void An_audit_without_a_reference_or_texts_is_refused_and_too_few_texts_are_named()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var (code, _, err) = TestCli.Psim("audit", "--model", baseDir);
        Assert.Equal(1, code);
        Assert.Contains("--reference", err);
        Assert.Contains("--texts", err);
        var few = Path.Combine(TestModels.TempDir(), "few.txt");
        File.WriteAllLines(few, ["the movie is good", "a bad movie"]);
        (code, _, err) = TestCli.Psim("audit", "--model", baseDir, "--texts", few);
        Assert.Equal(1, code);
        Assert.Contains("needs 32 distinct clean texts", err);
    }
}
