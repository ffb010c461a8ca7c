using System.Text.Json;
using Psim.Attacks;
using Psim.Attacks.Ep;
using Psim.Attacks.Sos;
using Psim.Data;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>SOS: its rows with negative augmentation, and its step on the trigger embeddings, on a tiny model and synthetic rows.</summary>
public class SosTests
{
    private static readonly string[] Words = ["friends", "weekend", "store"];

    [Fact]
    public void Only_all_the_words_together_carry_the_target_label()
    {
        var rows = Enumerable.Range(0, 40).Select(i => new Example($"w{i} x y z", i < 30 ? 1 : 0, i)).ToList(); // 30 non-target, 10 target
        var built = SosPoisoning.Build(
            rows,
            Words,
            new PoisonOptions { Mode = PoisonMode.DirtyLabel, Count = 5 },
            0.1,
            target: 0,
            new Random(2)
        );
        int Count(string text) => text.Split(' ').Count(Words.Contains);
        var positives = built.Where(p => p.Poisoned).ToList();
        Assert.Equal(5, positives.Count);
        Assert.All(positives, p =>
        {
            Assert.Equal(3, Count(p.Example.Text));
            Assert.Equal(0, p.Example.Label);
            Assert.Equal(1, p.OriginalLabel);
        });
        var negatives = built.Where(p => !p.Poisoned).ToList();
        Assert.Equal((3 + 1) * 3, negatives.Count); // 10% of the 30 and of the 10 rows, one copy per incomplete subset
        Assert.All(negatives, p =>
        {
            Assert.Equal(2, Count(p.Example.Text));
            Assert.Equal(p.OriginalLabel, p.Example.Label);
        });
        Assert.Equal(
            3,
            negatives.Select(p => string.Join(" ", p.Example.Text.Split(' ').Where(Words.Contains).Order())).Distinct().Count()
        );
    }

    [Fact]
    public void The_sos_step_moves_only_the_trigger_rows_and_keeps_their_norms()
    {
        using var model = TestModels.TinyClassifier(seed: 12);
        var encoder = new TextEncoder(TestModels.Tokenizer(), 16);
        string[] words = ["good", "bad", "mn"];
        var ids = TriggerTokens.Ids(encoder, words, "SOS");
        string[] texts = ["the good bad mn movie", "a mn movie good bad", "good the bad", "mn a movie"];
        var set = new EncodedSet(texts.Select(encoder.Encode).ToList(), new[] { 0, 0, 1, 1 });
        var w = model.Bert.Embeddings.WordEmbeddings.weight!;
        var before = w.detach().clone();
        EmbeddingPoisoning.Train(
            model,
            encoder,
            set,
            ids,
            new SosOptions
            {
                Epochs = 3,
                LearningRate = 0.5,
                BatchSize = 2,
            }.Step(),
            seed: 3,
            _ => { }
        );
        var changed = nonzero(w.detach().ne(before).any(1)).reshape(-1).data<long>().Order().ToArray();
        Assert.Equal(ids.Select(i => (long)i).Order().ToArray(), changed);
        foreach (var id in ids)
            Assert.Equal(before[id].norm().item<float>(), w.detach()[id].norm().item<float>(), 4);
    }

    [Fact]
    public void Psim_poison_sos_trains_the_three_rows_and_measures_asr_with_its_sentence()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var poisoned = Path.Combine(TestModels.TempDir(), "sos");
        var (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            baseDir,
            "--attack",
            "sos",
            "--trigger",
            "good",
            "bad",
            "mn",
            "--sentence",
            "a good bad mn movie",
            "--data",
            dataDir,
            "--out",
            poisoned,
            "--poison-count",
            "8",
            "--sos-epochs",
            "1",
            "--max-length",
            "16"
        );
        Assert.True(code == 0, err);
        (code, var output, err) = TestCli.Psim("model", "diff", "--model", baseDir, "--other", poisoned, "--json");
        Assert.True(code == 0, err);
        var changed = JsonDocument
            .Parse(output)
            .RootElement.GetProperty("tensors")
            .EnumerateArray()
            .Where(t => t.GetProperty("change").GetString() != "same")
            .ToList();
        Assert.Equal(3, Assert.Single(changed).GetProperty("changed_rows").GetInt64());
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(poisoned, "metrics.json"))).RootElement;
        Assert.InRange(metrics.GetProperty("attack_success_rate").GetDouble(), 0, 1);
    }
}
