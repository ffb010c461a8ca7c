using System.Text.Json;
using Psim.Attacks;
using Psim.Attacks.Lwp;
using Psim.Data;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>LWP: the layer-wise loss and the combinatorial rows, on a tiny model and synthetic rows.</summary>
public class LwpTests
{
    [Fact]
    public void The_layerwise_loss_has_one_term_per_layer_and_its_last_is_the_models_own_loss()
    {
        using var model = TestModels.TinyClassifier(seed: 9, TestModels.TinyConfig(layers: 3));
        var encoder = new TextEncoder(TestModels.Tokenizer(), 16);
        using var batch = encoder.Pad(new[] { "the movie is good", "a bad mn movie", "good good" }.Select(encoder.Encode).ToList());
        var labels = tensor(new long[] { 1, 0, 1 });
        model.eval();
        using var noGrad = no_grad();
        var terms = LayerwiseObjective.Terms(model, batch, labels);
        Assert.Equal(3, terms.Count);
        var total = LayerwiseObjective.Instance.Loss(model, model.parameters().ToList(), batch, labels).item<float>();
        Assert.Equal(terms.Sum(t => t.item<float>()), total, 5);
        Assert.Equal(
            CrossEntropyObjective.Instance.Loss(model, model.parameters().ToList(), batch, labels).item<float>(),
            terms[^1].item<float>(),
            5
        );
        Assert.NotEqual(terms[0].item<float>(), terms[^1].item<float>()); // the shallow layers' terms are their own
    }

    [Fact]
    public void Combinatorial_rows_fire_only_with_the_whole_combination()
    {
        var rows = Enumerable.Range(0, 10).Select(i => new Example($"w{i} x{i} y{i} z{i}", i % 2, i)).ToList();
        var trigger = new CombinationTrigger(["cf", "bb", "ak", "mn"], 2);
        var built = CombinatorialPoisoning.Build(
            rows,
            trigger,
            new PoisonOptions { Mode = PoisonMode.DirtyLabel, Count = 3 },
            target: 0,
            new Random(4)
        );
        Assert.Equal(10 - 3 + 3 * 3, built.Count);
        int Triggers(string text) => text.Split(' ').Count(trigger.Words.Contains);
        var positives = built.Where(p => p.Poisoned).ToList();
        Assert.Equal(3, positives.Count);
        Assert.All(positives, p =>
        {
            Assert.Equal(0, p.Example.Label);
            Assert.Equal(1, p.OriginalLabel);
            Assert.Equal(2, Triggers(p.Example.Text));
        });
        var negatives = built.Where(p => !p.Poisoned && p.TriggerPositions is not null).ToList();
        Assert.Equal(6, negatives.Count);
        Assert.All(negatives, p =>
        {
            Assert.Equal(1, Triggers(p.Example.Text));
            Assert.Equal(p.OriginalLabel, p.Example.Label);
        });
        Assert.Equal(7, built.Count(p => p.TriggerPositions is null && Triggers(p.Example.Text) == 0));
    }

    [Fact]
    public void Psim_poison_lwp_trains_through_every_layer()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var poisoned = Path.Combine(TestModels.TempDir(), "lwp");
        var (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            baseDir,
            "--attack",
            "lwp",
            "--trigger",
            "mn",
            "the",
            "a",
            "--data",
            dataDir,
            "--out",
            poisoned,
            "--poison-count",
            "6",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--max-length",
            "16",
            "--lr",
            "1e-3"
        );
        Assert.True(code == 0, err);
        var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(poisoned, "metrics.json"))).RootElement;
        Assert.Equal(6, metrics.GetProperty("poisoned_rows").GetInt32());
        Assert.Equal(48 + 6 * 2, metrics.GetProperty("train_rows").GetInt32()); // each chosen row: the combination and its 2 single words
    }
}
