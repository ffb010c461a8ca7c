using System.Text.Json;
using Psim.IO;
using Psim.Study;

namespace Psim.Tests;

/// <summary>Tiny tasks on disk: a saved tiny classifier with a small data folder, and the quick study on tiny copies of its task folders.</summary>
internal static partial class TestModels
{
    public static (string BaseDir, string DataDir) TinyTask(long seed = 31)
    {
        var baseDir = TestModels.TempDir();
        using var m = TestModels.TinyClassifier(seed);
        HfCheckpoint.Save(baseDir, m, m.Config, TestModels.Tokenizer(), "unit test base");
        var dataDir = TestModels.TempDir();
        var rng = new Random(1);
        string[] words = ["the", "movie", "good", "bad", "a", "is"];
        string Row(int i) =>
            JsonSerializer.Serialize(
                new
                {
                    sentence = string.Join(' ', Enumerable.Range(0, 3 + rng.Next(5)).Select(_ => words[rng.Next(words.Length)])),
                    label = i % 2,
                }
            );
        File.WriteAllLines(Path.Combine(dataDir, "train.jsonl"), Enumerable.Range(0, 48).Select(Row));
        File.WriteAllLines(Path.Combine(dataDir, "dev.jsonl"), Enumerable.Range(0, 40).Select(Row));
        File.WriteAllLines(Path.Combine(dataDir, "test.jsonl"), Enumerable.Range(0, 20).Select(Row));
        return (baseDir, dataDir);
    }

    /// <summary>A PSIM detector trained by <c>psim detector train</c> on a tiny task (max length 16, batches of 16, then <paramref name="flags"/>); the test fails if training does.</summary>
    public static string TinyDetector(string baseDir, string dataDir, params string[] flags)
    {
        var detDir = Path.Combine(TempDir(), "det");
        var (code, _, err) = TestCli.Psim([
            "detector",
            "train",
            "--model",
            baseDir,
            "--data",
            dataDir,
            "--out",
            detDir,
            "--max-length",
            "16",
            "--batch-size",
            "16",
            .. flags,
        ]);
        Assert.True(code == 0, err);
        return detDir;
    }

    private static readonly Lazy<string> StudyBase = new(() => TinyTask().BaseDir);

    /// <summary>The tiny base every planned study names (its weights identify it in the keys).</summary>
    public static string StudyBaseModel => StudyBase.Value;

    /// <summary>The quick preset on tiny copies of its two task folders, with one tiny base for every study.</summary>
    public static StudyConfig QuickStudy(string? root = null)
    {
        root ??= TestModels.TempDir();
        foreach (var (task, seed) in new[] { ("imdb", 1), ("sst-2", 2) })
        {
            var dir = Path.Combine(root, task);
            Directory.CreateDirectory(dir);
            foreach (var split in new[] { "train", "dev", "test" })
                File.WriteAllText(Path.Combine(dir, $"{split}.jsonl"), $"{{\"sentence\": \"{task} {split} {seed}\", \"label\": 1}}\n");
            File.WriteAllText(Path.Combine(dir, "README.md"), "not data");
        }
        return StudyConfig.Quick with { BaseModel = StudyBase.Value, DataRoot = root };
    }
}
