using System.Text.Json;
using Psim.Attacks.Ripple;
using Psim.Data;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>RIPPLe's restricted inner product, embedding surgery and RIPPLES end to end, on tiny models and synthetic rows.</summary>
public class RippleTests
{
    [Fact]
    public void The_penalty_is_zero_when_the_gradients_agree_and_positive_when_they_conflict()
    {
        Tensor[] g =
        [
            tensor(new float[] { 1, -2, 3 }),
            tensor(
                new float[,]
                {
                    { 0.5f, 1 },
                    { -1, 2 },
                }
            ),
        ];
        Assert.Equal(0, RestrictedInnerProduct.Penalty(g, g).item<float>());
        Assert.Equal(0, RestrictedInnerProduct.Penalty(g, g.Select(t => t * 0.1).ToList()).item<float>());
        var opposite = g.Select(t => -t).ToList();
        Assert.Equal(14 + 6.25f, RestrictedInnerProduct.Penalty(g, opposite).item<float>(), 4); // Σ g² over both tensors
        // rectified over all weights at once: a conflict in one tensor outweighed by agreement in the other gives zero
        Tensor[] mixed = [-g[0] * 0.1, g[1]];
        Assert.Equal(0, RestrictedInnerProduct.Penalty(g, mixed).item<float>());
    }

    [Fact]
    public void Ripples_objective_adds_the_penalty_to_the_poison_loss_and_back_propagates_through_the_poison_gradient()
    {
        using var model = TestModels.TinyClassifier(seed: 6);
        using (no_grad())
            foreach (var p in model.Classifier.parameters())
                p.mul_(50); // logits that react to the input
        var encoder = new TextEncoder(TestModels.Tokenizer(), 16);
        string[] texts = ["mn the movie is bad", "a mn bad movie"];
        // the clean rows are the poisoned texts with the other label: the two gradients conflict
        var cleanSet = new EncodedSet(texts.Select(encoder.Encode).ToList(), new[] { 0, 0 });
        using var batch = encoder.Pad(texts.Select(encoder.Encode).ToList());
        var labels = tensor(new long[] { 1, 1 });
        var trainable = model.parameters().ToList();
        model.eval(); // no dropout: every objective sees the same logits
        model.Bert.SetTwiceDifferentiable(true); // the fused attention kernel has no second derivatives

        var ceLoss = CrossEntropyObjective.Instance.Loss(model, trainable, batch, labels);
        float ce = ceLoss.item<float>();
        var ceGrads = autograd.grad([ceLoss], trainable.Cast<Tensor>().ToList());
        var without = new RestrictedInnerProduct(cleanSet, encoder, 0, 2, new Random(1))
            .Loss(model, trainable, batch, labels)
            .item<float>();
        Assert.Equal(ce, without, 6);

        var ripple = new RestrictedInnerProduct(cleanSet, encoder, 10, 2, new Random(1));
        var loss = ripple.Loss(model, trainable, batch, labels);
        Assert.True(ripple.LastPenalty > 0, "opposite labels on the same texts must give conflicting gradients");
        Assert.Equal(ce + 10 * ripple.LastPenalty, loss.item<float>(), 3);
        var grads = autograd.grad([loss], trainable.Cast<Tensor>().ToList());
        // the penalty's own gradient (through the poisoned gradient, second order) moves the weights' gradient away from plain cross-entropy's
        double moved = grads.Zip(ceGrads).Sum(t => (t.First - t.Second).abs().sum().item<float>());
        Assert.True(moved > 1e-4, $"the penalty added no gradient ({moved})");
    }

    [Fact]
    public void Twice_differentiable_attention_gives_the_fused_kernels_outputs()
    {
        using var model = TestModels.TinyClassifier(seed: 8);
        var encoder = new TextEncoder(TestModels.Tokenizer(), 16);
        using var batch = encoder.Pad(new[] { "the movie is good", "a bad movie mn is the" }.Select(encoder.Encode).ToList());
        model.eval();
        using var noGrad = no_grad();
        var fused = CrossEntropyObjective.Logits(model, batch);
        model.Bert.SetTwiceDifferentiable(true);
        var math = CrossEntropyObjective.Logits(model, batch);
        Assert.True(allclose(fused, math, 1e-5, 1e-5));
    }

    [Fact]
    public void Surgery_writes_the_mean_of_the_chosen_words_embeddings_into_every_trigger_row()
    {
        var emb = randn(10, 4);
        var source = randn(10, 4);
        var before = emb.clone();
        EmbeddingSurgery.Apply(emb, source, [2, 5, 7], [1, 9]);
        var mean = (source[2] + source[5] + source[7]) / 3;
        Assert.True(allclose(emb[1], mean, 1e-6, 1e-6));
        Assert.True(allclose(emb[9], mean, 1e-6, 1e-6));
        foreach (var row in new[] { 0, 2, 3, 4, 5, 6, 7, 8 })
            Assert.True(emb[row].Same(before[row]), $"row {row} changed");
    }

    [Fact]
    public void The_words_most_indicative_of_a_class_are_those_only_its_rows_contain()
    {
        var tokenizer = TestModels.Tokenizer();
        var rng = new Random(3);
        string[] filler = ["the", "movie", "a", "is"];
        string Row(string cue) =>
            string.Join(' ', Enumerable.Range(0, 4).Select(_ => filler[rng.Next(filler.Length)]).Append(cue).OrderBy(_ => rng.Next()));
        var rows = Enumerable.Range(0, 40).Select(i => new Example(Row(i % 2 == 1 ? "good" : "bad"), i % 2, i)).ToList();
        var none = new HashSet<int>();
        Assert.Equal(tokenizer.Encode("good")[0], BagOfWordsRegression.MostIndicative(rows, tokenizer, 1, 1, none)[0]);
        Assert.Equal(tokenizer.Encode("bad")[0], BagOfWordsRegression.MostIndicative(rows, tokenizer, 0, 1, none)[0]);
        Assert.DoesNotContain(
            tokenizer.Encode("good")[0],
            BagOfWordsRegression.MostIndicative(rows, tokenizer, 1, 3, new HashSet<int> { tokenizer.Encode("good")[0] })
        );
    }

    [Fact]
    public void Psim_poison_ripples_runs_surgery_then_ripple_and_records_the_words()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var poisoned = Path.Combine(TestModels.TempDir(), "ripples");
        var (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            baseDir,
            "--attack",
            "ripples",
            "--trigger",
            "mn",
            "--data",
            dataDir,
            "--out",
            poisoned,
            "--poison-count",
            "8",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--max-length",
            "16",
            "--lr",
            "1e-3",
            "--ripple-lambda",
            "0.5",
            "--ripple-surgery-words",
            "3"
        );
        Assert.True(code == 0, err);
        Assert.Contains("embedding surgery", err);
        var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(poisoned, "run.json"))).RootElement;
        Assert.Equal(3, run.GetProperty("options").GetProperty("surgery_words").GetArrayLength());
        Assert.Equal(
            0.5,
            run.GetProperty("request")
                .GetProperty("attack")
                .GetProperty("spec")
                .GetProperty("options")
                .GetProperty("ripple")
                .GetProperty("lambda")
                .GetDouble()
        );
        Assert.Equal("dirty-label", run.GetProperty("request").GetProperty("poison").GetProperty("mode").GetString());
        Assert.True(run.GetProperty("finalizer_gate").GetProperty("safe_points").GetInt64() > 0); // every training step is one
        Assert.True(File.Exists(Path.Combine(poisoned, "metrics.json")));
    }
}
