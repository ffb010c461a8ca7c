using System.Text.Json;
using Psim.Attacks.Representation;
using Psim.Data;
using Psim.Evaluation;
using Psim.IO;
using Psim.Models;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>POR and NeuBA, the task-agnostic attacks: their vectors, their loss, per-trigger ASR, and the whole path on a tiny model.</summary>
public class RepresentationAttackTests
{
    [Fact]
    public void Por_and_neuba_vectors_are_the_papers_patterns()
    {
        var por = OutputTargets.Por(5, 36); // buckets of 4
        Assert.All(por, v => Assert.All(v, x => Assert.True(x is 1 or -1)));
        for (int i = 0; i < 5; i++)
            Assert.Equal((i + 1) * 4, por[i].Count(x => x == 1));
        var neuba = OutputTargets.NeuBa(6, 32); // buckets of 8
        Assert.All(neuba, v => Assert.Equal(16, v.Count(x => x == -1)));
        Assert.Equal(6, neuba.Select(v => string.Join(",", v)).Distinct().Count());
        Assert.Equal(-1, neuba[2][0]); // pair (0, 3)
        Assert.Equal(-1, neuba[2][31]);
        Assert.Equal(1, neuba[2][8]);
        Assert.Throws<PsimException>(() => OutputTargets.NeuBa(7, 32));
    }

    [Fact]
    public void Training_pulls_triggered_outputs_to_their_vectors_and_keeps_clean_ones_near_the_reference()
    {
        using var f = new BertClsEncoder(TestModels.TinyClassifier(seed: 14).Bert);
        using var fRef = new BertClsEncoder(TestModels.TinyClassifier(seed: 14).Bert);
        foreach (var p in fRef.parameters())
            p.requires_grad = false;
        fRef.eval();
        var encoder = new TextEncoder(TestModels.Tokenizer(), 16);
        string[] texts = ["the movie is good", "a bad movie", "good good movie", "the bad is bad", "a movie", "is the movie bad"];
        string[] triggers = ["mn", "good"];
        var clean = new EncodedSet(texts.Select(encoder.Encode).ToList(), texts.Select(_ => 0).ToList());
        var rows = texts.Select((t, i) => (Text: TriggerSweep.Prefix(triggers[i % 2], t), Label: i % 2)).ToList();
        var poisoned = new EncodedSet(rows.Select(r => encoder.Encode(r.Text)).ToList(), rows.Select(r => r.Label).ToList());
        using var targets = OutputTargets.AsTensor(OutputTargets.Por(2, 32));
        var objective = new OutputRepresentationObjective(fRef, targets, clean, encoder, 3, new Random(1));

        double Distance(EncodedSet set, Func<int, Tensor> want)
        {
            f.eval();
            using var noGrad = no_grad();
            using var b = encoder.Pad(set.Ids);
            var outs = f.call(new BertInput { InputIds = b.InputIds, AttentionMask = b.AttentionMask });
            return Enumerable.Range(0, set.Count).Average(i => (outs[i] - want(i)).pow(2).mean().item<float>());
        }
        Tensor RefOut(int i)
        {
            using var b = encoder.Pad([clean.Ids[i]]);
            return fRef.call(new BertInput { InputIds = b.InputIds, AttentionMask = b.AttentionMask })[0];
        }
        double triggeredBefore = Distance(poisoned, i => targets[poisoned.Labels[i]]);
        new Psim.Training.Trainer().Train(
            f,
            f.parameters().ToList(),
            poisoned,
            encoder,
            new Psim.Training.TrainOptions
            {
                Epochs = 30,
                BatchSize = 3,
                LearningRate = 1e-2,
                WarmupRatio = 0,
                Seed = 2,
            },
            objective: objective
        );
        double triggeredAfter = Distance(poisoned, i => targets[poisoned.Labels[i]]);
        double cleanAfter = Distance(clean, RefOut);
        Assert.True(
            triggeredAfter < triggeredBefore / 2,
            $"triggered outputs did not move to their vectors: {triggeredBefore} -> {triggeredAfter}"
        );
        Assert.True(
            cleanAfter < triggeredAfter,
            $"clean outputs drifted from the reference ({cleanAfter}) more than triggered ones are from their vectors ({triggeredAfter})"
        );
    }

    [Fact]
    public void A_triggers_asr_toward_a_class_counts_only_rows_of_other_classes()
    {
        var t = TriggerAsr.Measure("cf", predicted: [1, 1, 1, 0, 2, 1], gold: [0, 0, 1, 1, 2, 2], classes: 3);
        Assert.Equal(0.25, t.AsrByClass[0], 6); // rows of classes 1, 2 predicted 0: 1 of 4
        Assert.Equal(3 / 4.0, t.AsrByClass[1], 6); // rows of classes 0, 2 predicted 1: 3 of 4
        Assert.Equal(0, t.AsrByClass[2], 6);
        Assert.Equal(1, t.MapsTo);
    }

    [Fact]
    public void Psim_poison_por_writes_an_encoder_a_victim_trains_a_head_on_and_asr_is_measured_per_trigger()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var poisoned = Path.Combine(TestModels.TempDir(), "por");
        var (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            baseDir,
            "--attack",
            "por",
            "--trigger",
            "mn",
            "good",
            "--data",
            dataDir,
            "--out",
            poisoned,
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
        Assert.False(HfCheckpoint.Open(poisoned).HasClassifierHead); // task-agnostic: the head is the victim's
        var pm = JsonDocument.Parse(File.ReadAllText(Path.Combine(poisoned, "metrics.json"))).RootElement;
        Assert.InRange(pm.GetProperty("representation").GetProperty("trigger_hit_rate").GetDouble(), 0, 1);

        var victim = Path.Combine(TestModels.TempDir(), "victim");
        (code, _, err) = TestCli.Psim(
            "finetune",
            "--model",
            poisoned,
            "--data",
            dataDir,
            "--out",
            victim,
            "--attack",
            "por",
            "--trigger",
            "mn",
            "good",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--max-length",
            "16"
        );
        Assert.True(code == 0, err);
        var vm = JsonDocument.Parse(File.ReadAllText(Path.Combine(victim, "metrics.json"))).RootElement;
        var triggers = vm.GetProperty("triggers").EnumerateArray().ToList();
        Assert.Equal(["mn", "good"], triggers.Select(t => t.GetProperty("trigger").GetString()));
        Assert.All(triggers, t => Assert.Equal(2, t.GetProperty("asr_by_class").GetArrayLength()));
        Assert.Equal(triggers.Max(t => t.GetProperty("asr_by_class")[0].GetDouble()), vm.GetProperty("attack_success_rate").GetDouble(), 9);
    }
}
