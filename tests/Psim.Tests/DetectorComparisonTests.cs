using System.Text.Json;
using Psim.Data;
using Psim.Defense;
using Psim.Defense.Dan;
using Psim.Defense.Detection;
using Psim.Defense.Rap;
using Psim.Models;
using Psim.Peft;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>RAP, DAN and the one protocol every inference-time detector is measured under.</summary>
public class DetectorComparisonTests
{
    [Fact]
    public void Dan_distance_is_the_hand_computed_shrunk_mahalanobis_distance_to_the_nearest_class()
    {
        // class 0 at (2,1), (-2,-1): mean (0,0); class 1 at (0,3), (0,5): mean (0,4)
        float[][] x =
        [
            [2, 1],
            [-2, -1],
            [0, 3],
            [0, 5],
        ];
        var g = GaussianFeatureModel.Fit(x, [0, 0, 1, 1], shrinkage: 0.1);
        Assert.Equal([0.0, 0.0], g.Means[0]);
        Assert.Equal([0.0, 4.0], g.Means[1]);
        // centred rows (2,1), (-2,-1), (0,-1), (0,1): S = [[2,1],[1,1]]; Σ = 0.9·S + 0.1·(tr S / 2)·I = [[1.95,0.9],[0.9,1.05]]
        double det = 1.95 * 1.05 - 0.9 * 0.9;
        Assert.Equal(1.05 / det, g.Precision(0, 0), 10);
        Assert.Equal(-0.9 / det, g.Precision(0, 1), 10);
        Assert.Equal(1.95 / det, g.Precision(1, 1), 10);
        // (1,2): to class 0, v = (1,2): (1.05·1 − 2·0.9·2 + 1.95·4) / det = 5.25 / det; to class 1, v = (1,−2): 12.45 / det
        Assert.Equal(5.25 / det, g.Distance([1, 2]), 10);
        Assert.Equal(5.25 / det, g.Distance([1, 6]), 10); // v = (1, 2) from class 1; from class 0, (1, 6) is farther
        Assert.Equal(4.8 / det, g.Distance([2, 2]), 10); // class 0: v = (2, 2): (4.2 − 7.2 + 7.8) / det; class 1: v = (2, −2): 19.2 / det
    }

    [Fact]
    public void Dan_normalises_each_layer_on_held_out_clean_rows_and_scores_outliers_high()
    {
        var rng = new Random(3);
        float[] Point(int label, double spread) =>
            [(float)(label * 3 + spread * Normal(rng)), (float)(spread * Normal(rng)), (float)(spread * Normal(rng))];
        var labels = Enumerable.Range(0, 200).Select(i => i % 2).ToList();
        var features = labels.Select(l => new[] { Point(l, 1), Point(l, 0.5) }).ToList(); // two layers
        var dan = DanDistance.Fit(features, labels, new DanOptions(), seed: 5);
        Assert.Equal(40, dan.HeldOutScores.Count);
        Assert.Equal(160, dan.FitRows);
        Assert.Equal(0, dan.HeldOutScores.Average(), 9); // mean of per-layer z-scores over the rows they were normalised on
        var far = dan.Score([
            [40, 40, 40],
            [40, 40, 40],
        ]);
        Assert.True(far > dan.HeldOutScores.Max(), $"an input far from both classes scores {far}");
        var max = DanDistance.Fit(features, labels, new DanOptions { Aggregation = DanAggregation.Max }, seed: 5);
        var one = features[0];
        Assert.Equal(max.LayerScores(one).Max(), max.Score(one), 12);
        Assert.Equal(dan.LayerScores(one).Average(), dan.Score(one), 12);
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void Roc_curve_takes_the_best_tpr_at_each_fpr()
    {
        var roc = RocCurve.Compute([0.1, 0.4], [0.35, 0.8]);
        double At(double f) => roc.Tpr[Array.FindIndex(roc.Fpr, x => Math.Abs(x - f) < 1e-9)];
        Assert.Equal(RocCurve.GridPoints, roc.Fpr.Length);
        Assert.Equal(0.5, At(0));
        Assert.Equal(0.5, At(0.49));
        Assert.Equal(1.0, At(0.5));
        Assert.Equal(1.0, At(1));
    }

    /// <summary>A tiny classifier whose head is scaled up so one embedding row can move its probabilities, on a vocabulary with a rare word "zz".</summary>
    private static (BertForSequenceClassification Model, TextEncoder Encoder) Sensitive()
    {
        var dir = TestModels.TempDir();
        var vocab = TestModels.WriteVocab(dir);
        File.AppendAllLines(vocab, ["zz"]);
        var model = TestModels.TinyClassifier(7, TestModels.TinyConfig(vocab: 120) with { InitializerRange = 0.3 });
        model.eval();
        return (model, new TextEncoder(TestModels.Tokenizer(vocab), 16));
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module m) => m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

    [Fact]
    public void Rap_trains_only_its_row_reaches_the_drop_range_and_leaves_the_victim_as_it_was()
    {
        var (model, encoder) = Sensitive();
        var rng = new Random(2);
        string[] words = ["the", "movie", "good", "bad", "a", "is"];
        var all = Enumerable
            .Range(0, 400)
            .Select(_ => string.Join(' ', Enumerable.Range(0, 3 + rng.Next(4)).Select(_ => words[rng.Next(words.Length)])))
            .Distinct()
            .ToList();
        // as RAP's paper: clean rows the victim gives the protected label with some confidence (a drop of 0.1 needs room)
        var p0 = Predictor.Probabilities(model, encoder, all.Select(encoder.Encode).ToList());
        var texts = all.Where((_, i) => p0[i][1] > 0.6).Take(64).ToList();
        Assert.True(texts.Count >= 32, $"{texts.Count} confident rows");
        var before = Snapshot(model);
        var rap = RapPerturbation.Construct(
            model,
            encoder,
            texts,
            target: 1,
            new RapOptions
            {
                Word = "zz",
                Epochs = 25,
                LearningRate = 5,
                BatchSize = 16,
            },
            seed: 3,
            _ => { }
        );
        var after = Snapshot(model);
        Assert.All(before, kv => Assert.True(kv.Value.Same(after[kv.Key]), $"{kv.Key} changed"));

        int id = rap.WordId;
        var original = before["bert.embeddings.word_embeddings.weight"][id];
        var trained = tensor(rap.TrainedRow);
        Assert.False(trained.Same(original));
        Assert.Equal(original.norm().item<float>(), trained.norm().item<float>(), 4); // kept at its norm

        var drops = rap.Drops(texts, "test");
        Assert.All(Snapshot(model), kv => Assert.True(kv.Value.Same(before[kv.Key]), $"{kv.Key} changed by scoring"));
        double reached = drops.Count(d => d.Drop > 0.1 && d.Drop < 0.3) / (double)drops.Length;
        Assert.True(reached >= 0.8, $"only {reached:P0} of the training rows drop by 0.1-0.3 (last epoch: {rap.Epochs[^1].Reached:P0})");

        // the drop is the victim's own with only that row replaced
        using (no_grad())
            model.Bert.Embeddings.WordEmbeddings.weight![id].copy_(trained);
        var p = Predictor.Probabilities(model, encoder, texts.Take(5).Select(encoder.Encode).ToList());
        var pr = Predictor.Probabilities(model, encoder, texts.Take(5).Select(t => encoder.Encode("zz " + t)).ToList());
        for (int i = 0; i < 5; i++)
            Assert.True(Math.Abs(p[i][1] - pr[i][1] - drops[i].Drop) < 1e-5);
    }

    [Fact]
    public void Layer_features_reach_the_head_through_a_prompt_method()
    {
        var (ckpt, _) = TestModels.SavedBase();
        var encoder = ckpt.CreateTextEncoder(16);
        string[] texts = ["the movie is good", "a bad movie", "the"];
        foreach (var victim in new nn.Module<BertInput, Tensor>[] { ckpt.LoadClassifier(out _), TestModels.Attach(ckpt, "prompt") })
        {
            var inner = PeftClassifier.Inner(victim);
            victim.eval(); // Extract restores the mode it found
            var f = LayerFeatures.Extract(victim, encoder, texts.Select(encoder.Encode).ToList());
            Assert.All(f, x => Assert.Equal(inner.Config.NumHiddenLayers, x.Layers.Length));
            using var _ = no_grad();
            for (int i = 0; i < texts.Length; i++)
            {
                // the last layer's first position, through the pooler and the head, is the model's prediction
                var logits = inner.Head(inner.Bert.Pooler.forward(tensor(f[i].Layers[^1]).view(1, 1, -1)));
                var probs = nn.functional.softmax(logits, 1).data<float>().ToArray();
                Assert.True(
                    Math.Abs(f[i].Probabilities[0] - probs[0]) < 1e-5,
                    $"{victim.GetType().Name} text {i}: {f[i].Probabilities[0]} vs {probs[0]}"
                );
            }
        }
    }

    [Fact]
    public void Protocol_threshold_comes_from_clean_dev_scores_and_onion_repairs_instead_of_rejecting()
    {
        var detector = new FixedDetector([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
        var bench = new DetectionBench(["c1", "c2", "c3", "c4"], [0, 1, 0, 1], [0, 1, 0, 1], ["p1", "p2"], [0, 0], [1, 1], 1, (texts, _) =>
            texts.Select(t => t.EndsWith("fixed") ? 0 : Victim[t]).ToArray()
        );
        var o = DetectionProtocol.Measure(detector, bench, 0.1);
        Assert.Equal(0.9, o.Threshold); // one of ten dev scores (1.0) lies above it
        Assert.Equal(0.25, o.Detection.Frr); // c4 scores 0.95
        Assert.Equal(0.5, o.Detection.Far); // p2 scores 0.5
        Assert.Equal(0.75, o.CleanAccuracy); // c4 rejected
        Assert.Equal(0.5, o.AttackSuccessRate);
        var repairing = new FixedDetector(detector.CalibrationScores) { Response = FlagResponse.Repair };
        var r = DetectionProtocol.Measure(repairing, bench, 0.1);
        Assert.Equal(0.5, r.AttackSuccessRate); // p1 repaired to label 0, p2 (not flagged) kept
        Assert.Equal(0.75, r.CleanAccuracy); // c4 repaired to label 0 (gold 1)
    }

    private static readonly Dictionary<string, int> Victim = new()
    {
        ["c1"] = 0,
        ["c2"] = 1,
        ["c3"] = 0,
        ["c4"] = 1,
        ["p1"] = 1,
        ["p2"] = 1,
    };

    private sealed class FixedDetector(IReadOnlyList<double> dev) : IInputDetector
    {
        private static readonly Dictionary<string, double> Scores = new()
        {
            ["c1"] = 0.1,
            ["c2"] = 0.5,
            ["c3"] = 0.2,
            ["c4"] = 0.95,
            ["p1"] = 0.99,
            ["p2"] = 0.5,
        };
        public DefenseKind Kind => DefenseKind.Strip;
        public string Setting => "fixed";
        public DetectorCost Cost => new(1);
        public FlagResponse Response { get; init; } = FlagResponse.Reject;
        public IReadOnlyList<double> CalibrationScores => dev;

        public double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct) => texts.Select(t => Scores[t]).ToArray();

        public IReadOnlyList<string> Repair(IReadOnlyList<string> texts, double threshold) =>
            texts.Select(t => Scores[t] > threshold ? t + " fixed" : t).ToList();
    }

    [Fact]
    public void Every_detectors_threshold_depends_on_clean_dev_only()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var detDir = TestModels.TinyDetector(baseDir, dataDir);
        Dictionary<string, double> Thresholds(string data, string attack)
        {
            var outDir = TestModels.TempDir();
            var (c, _, e) = TestCli.Psim(
                "defend",
                "baselines",
                "--model",
                baseDir,
                "--data",
                data,
                "--attack",
                attack,
                "--out",
                outDir,
                "--detector",
                detDir,
                "--strip-copies",
                "3",
                "--max-length",
                "16",
                "--rap-word",
                "is",
                "--rap-epochs",
                "2",
                "--target-frr",
                "0.05"
            );
            Assert.True(c == 0, e);
            Assert.True(File.Exists(Path.Combine(outDir, "roc.png")));
            var rows = JsonDocument
                .Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")))
                .RootElement.EnumerateArray()
                .Where(x => x.TryGetProperty("threshold", out var t) && t.ValueKind == JsonValueKind.Number)
                .ToList();
            Assert.All(rows, x => Assert.Equal(0.05, x.GetProperty("target_frr").GetDouble()));
            return rows.ToDictionary(x => x.GetProperty("defense").GetString()!, x => x.GetProperty("threshold").GetDouble());
        }
        var a = Thresholds(dataDir, "badnet");
        Assert.Equal(["psim", "guard", "onion", "strip", "rap", "dan"], a.Keys);
        // other test rows, other labels, another attack: the same thresholds
        var other = TestModels.TempDir();
        foreach (var f in new[] { "train", "dev" })
            File.Copy(Path.Combine(dataDir, $"{f}.jsonl"), Path.Combine(other, $"{f}.jsonl"));
        File.WriteAllLines(
            Path.Combine(other, "test.jsonl"),
            Enumerable
                .Range(0, 12)
                .Select(i =>
                    JsonSerializer.Serialize(
                        new { sentence = i % 3 == 0 ? "bad bad movie" : "the good movie is a movie", label = (i + 1) % 2 }
                    )
                )
        );
        Assert.Equal(a, Thresholds(other, "insent"));
        // another dev file moves them
        var rng = new Random(9);
        string[] words = ["the", "movie", "good", "bad", "a", "is"];
        File.WriteAllLines(
            Path.Combine(other, "dev.jsonl"),
            Enumerable
                .Range(0, 30)
                .Select(i =>
                    JsonSerializer.Serialize(
                        new
                        {
                            sentence = string.Join(' ', Enumerable.Range(0, 2 + rng.Next(6)).Select(_ => words[rng.Next(words.Length)])),
                            label = i % 2,
                        }
                    )
                )
        );
        var moved = Thresholds(other, "insent");
        Assert.All(new[] { "psim", "onion", "strip", "dan" }, k => Assert.NotEqual(a[k], moved[k]));
    }
}
