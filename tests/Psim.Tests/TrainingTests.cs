using System.Runtime.CompilerServices;
using Psim.Data;
using Psim.Evaluation;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Tests;

public class TrainingTests
{
    [Fact]
    public void Warmup_schedule_matches_transformers()
    {
        var s = new LinearWarmupSchedule(1.0, totalSteps: 100, warmupRatio: 0.06);
        Assert.Equal(6, s.WarmupSteps);
        Assert.Equal(0.0, s.RateAt(0));
        Assert.Equal(0.5, s.RateAt(3), 12);
        Assert.Equal(1.0, s.RateAt(6), 12);
        Assert.Equal(47.0 / 94.0, s.RateAt(53), 12);
        Assert.Equal(1.0 / 94.0, s.RateAt(99), 12);
        Assert.Equal(0.0, s.RateAt(100));
        Assert.Equal(7, new LinearWarmupSchedule(1, 101, 0.06).WarmupSteps); // ceil(6.06)
    }

    [Fact]
    public void Batches_cover_every_row_once_and_bucketing_cuts_padding()
    {
        var rng = new Random(1);
        var lengths = Enumerable.Range(0, 1000).Select(_ => rng.Next(3, 200)).ToList();
        foreach (bool bucket in new[] { false, true })
        {
            var batches = BatchPlanner.Plan(lengths, 32, bucket, new Random(2));
            Assert.Equal(Enumerable.Range(0, 1000), batches.SelectMany(b => b).Order());
            Assert.All(batches, b => Assert.InRange(b.Length, 1, 32));
        }
        long Padded(List<int[]> bs) => bs.Sum(b => (long)b.Length * b.Max(i => lengths[i]));
        Assert.True(
            Padded(BatchPlanner.Plan(lengths, 32, true, new Random(2))) < 0.7 * Padded(BatchPlanner.Plan(lengths, 32, false, new Random(2)))
        );
        Assert.Equal(
            BatchPlanner.Plan(lengths, 32, true, new Random(3)).SelectMany(b => b),
            BatchPlanner.Plan(lengths, 32, true, new Random(3)).SelectMany(b => b)
        );
    }

    [Fact]
    public void Metrics_follow_the_counting_rules()
    {
        Assert.Equal(0.75, Metrics.Accuracy([1, 0, 1, 1], [1, 0, 0, 1]));
        // ASR ignores rows whose gold label is the target
        Assert.Equal(2.0 / 3.0, Metrics.AttackSuccessRate([0, 0, 1, 0], [1, 1, 1, 0], target: 0), 12);
        // per-class accuracy: of the gold-0 rows 1 of 2 right, of the gold-1 rows 2 of 2; no gold-2 rows
        Assert.Equal([0.5, 1.0, null], Metrics.ClassAccuracy([1, 0, 1, 1], [0, 0, 1, 1], numClasses: 3));
    }

    [Fact]
    public void Trainer_drives_a_learnable_task_to_near_zero_loss_and_keeps_the_best_epoch()
    {
        var dir = TestModels.TempDir();
        var enc = new TextEncoder(TestModels.Tokenizer(TestModels.WriteVocab(dir)), maxLength: 16);
        var rng = new Random(5);
        // label 1 iff the word "good" (id 106) appears; filler ids 104/105/108
        var rows = new List<int[]>();
        var labels = new List<int>();
        for (int i = 0; i < 64; i++)
        {
            int len = rng.Next(3, 9);
            var ids = new List<int> { enc.ClsId };
            for (int j = 0; j < len; j++)
                ids.Add(new[] { 104, 105, 108 }[rng.Next(3)]);
            bool pos = i % 2 == 0;
            if (pos)
                ids.Insert(rng.Next(1, ids.Count), 106);
            ids.Add(enc.SepId);
            rows.Add(ids.ToArray());
            labels.Add(pos ? 1 : 0);
        }
        var set = new EncodedSet(rows, labels);
        using var model = TestModels.TinyClassifier(12);
        var options = new TrainOptions
        {
            Epochs = 25,
            LearningRate = 2e-3,
            BatchSize = 16,
            MaxLength = 16,
            Seed = 1,
        };
        var devScores = new List<double>();
        var result = new Trainer().Train(model, model.parameters().ToList(), set, enc, options, epoch =>
        {
            var acc = Metrics.Accuracy(Predictor.Probabilities(model, enc, set.Ids, 64).Select(Predictor.ArgMax).ToList(), set.Labels);
            devScores.Add(acc);
            return (acc, new Dictionary<string, double>());
        });
        Assert.False(result.Interrupted);
        Assert.Equal(25, result.Epochs.Count);
        Assert.True(result.Epochs[^1].TrainLoss < 0.05, $"final loss {result.Epochs[^1].TrainLoss}");
        Assert.True(result.Epochs[0].TrainLoss > 0.3);
        Assert.Equal(devScores.IndexOf(devScores.Max()) + 1, result.BestEpoch);
        var acc = Metrics.Accuracy(Predictor.Probabilities(model, enc, set.Ids, 64).Select(Predictor.ArgMax).ToList(), set.Labels);
        Assert.Equal(devScores.Max(), acc); // the kept weights are the best epoch's
    }

    [Fact]
    public void A_training_step_and_a_prediction_batch_free_what_they_left_to_the_finalizer()
    {
        // left to the GC, such objects pin holes between the large tensors of a step and the native heap grows
        var enc = new TextEncoder(TestModels.Tokenizer(), 16);
        var rows = new List<int[]> { new[] { 101, 104, 102 }, new[] { 101, 105, 106, 102 } };
        using var model = TestModels.TinyClassifier(14);
        using var step = new TrainStep(model, model.parameters().ToList(), 1e-3, 0.01, 1.0);
        using var batch = enc.Pad(rows);
        using var labels = tensor(new long[] { 0, 1 });
        var beforeStep = TestModels.Abandon();
        step.Run(batch, labels, 1e-3);
        Assert.True(beforeStep.Value, "the step ended with a finalizable object still waiting for the GC");
        var beforePrediction = TestModels.Abandon();
        Predictor.Probabilities(model, enc, rows);
        Assert.True(beforePrediction.Value, "prediction ended with a finalizable object still waiting for the GC");
    }

    [Fact]
    public void Cancellation_stops_at_a_batch_boundary()
    {
        var enc = new TextEncoder(TestModels.Tokenizer(), 16);
        var set = new EncodedSet(
            Enumerable.Range(0, 32).Select(_ => new[] { 101, 104, 102 }).ToList(),
            Enumerable.Range(0, 32).Select(i => i % 2).ToList()
        );
        using var model = TestModels.TinyClassifier(13);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var r = new Trainer().Train(
            model,
            model.parameters().ToList(),
            set,
            enc,
            new TrainOptions { Epochs = 2, BatchSize = 8 },
            ct: cts.Token
        );
        Assert.True(r.Interrupted);
        Assert.Equal(0, r.Steps);
        Assert.Empty(r.Epochs);
    }
}
