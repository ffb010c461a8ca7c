using Psim.Data;
using Psim.IO;
using Psim.Models;
using Psim.Peft;
using Psim.Peft.Lora;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Tests;

public class PeftTests
{
    public static IEnumerable<object[]> AllMethods => TuningMethods.Peft.Select(m => new object[] { m.Name() });

    [Theory]
    [InlineData("lora")]
    [InlineData("adapter")]
    public void Fresh_lora_and_adapter_leave_the_output_unchanged(string method)
    {
        var (ckpt, _) = TestModels.SavedBase();
        using var plain = ckpt.LoadClassifier(out _);
        var peft = TestModels.Attach(ckpt, method);
        var diff = (TestModels.Logits(plain) - TestModels.Logits(peft)).abs().max().item<float>();
        Assert.True(diff < 1e-6, $"{method} changed logits by {diff}");
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void Training_changes_only_peft_and_head_parameters(string method)
    {
        var (ckpt, dir) = TestModels.SavedBase();
        var peft = TestModels.Attach(ckpt, method);
        var before = peft.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var methodBefore = peft.Method.SaveState(peft.Model).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        TestModels.TrainSteps(peft, dir);
        foreach (var (k, v) in peft.Model.state_dict())
        {
            bool isPeft = k.Contains("lora_") || k.Contains(".adapter.") || k.StartsWith("classifier.", StringComparison.Ordinal);
            if (!isPeft)
                Assert.True(before[k].Same(v), $"{method}: backbone tensor {k} changed");
        }
        Assert.False(before["classifier.weight"].Same(peft.Model.state_dict()["classifier.weight"]), "the head copy did not train");
        var methodAfter = peft.Method.SaveState(peft.Model);
        Assert.Contains(methodAfter, kv => !methodBefore[kv.Key].Same(kv.Value));
        // every trainable parameter is a PEFT or head parameter, and every backbone parameter is frozen
        foreach (var (name, p) in peft.named_parameters())
        {
            bool isPeft =
                name.StartsWith("method.", StringComparison.Ordinal)
                || name.Contains("lora_")
                || name.Contains(".adapter.")
                || name.StartsWith("model.classifier.", StringComparison.Ordinal);
            Assert.True(p.requires_grad == isPeft, $"{method}: {name} requires_grad={p.requires_grad}");
        }
    }

    [Fact]
    public void Lora_merged_equals_unmerged()
    {
        var (ckpt, dir) = TestModels.SavedBase();
        var peft = TestModels.Attach(ckpt, "lora");
        TestModels.TrainSteps(peft, dir);
        var unmerged = TestModels.Logits(peft);
        var lora = (LoraMethod)peft.Method;
        foreach (var (_, l) in lora.Layers)
            l.Merge();
        Assert.True((TestModels.Logits(peft) - unmerged).abs().max().item<float>() < 1e-5);
        foreach (var (_, l) in lora.Layers)
            l.Unmerge();
        Assert.True((TestModels.Logits(peft) - unmerged).abs().max().item<float>() < 1e-5);
        lora.MergeAndUnload(peft.Model);
        Assert.DoesNotContain(peft.Model.state_dict().Keys, k => k.Contains("lora_"));
        Assert.True((TestModels.Logits(peft.Model) - unmerged).abs().max().item<float>() < 1e-5);
    }

    [Theory]
    [MemberData(nameof(AllMethods))]
    public void Save_then_load_reproduces_logits(string method)
    {
        var (ckpt, dir) = TestModels.SavedBase();
        var peft = TestModels.Attach(ckpt, method);
        TestModels.TrainSteps(peft, dir);
        var expected = TestModels.Logits(peft);
        var adapterDir = TestModels.TempDir();
        PeftAdapterFolder.Save(adapterDir, peft, ckpt, WeightsFingerprint.Compute(ckpt.Weights));
        var keys = SafeTensorsFile.Open(Path.Combine(adapterDir, "adapter_model.safetensors")).Entries.Keys.ToList();
        if (method is "lora")
        {
            Assert.Contains("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight", keys);
            Assert.Contains("base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight", keys);
            Assert.Contains("base_model.model.classifier.weight", keys);
        }
        else if (method is "prompt" or "ptuning" or "prefix")
        {
            Assert.Contains("prompt_embeddings", keys);
            Assert.Contains("base_model.classifier.weight", keys);
        }
        var config = File.ReadAllText(Path.Combine(adapterDir, "adapter_config.json"));
        Assert.Contains("\"task_type\": \"SEQ_CLS\"", config);
        var loaded = PeftAdapterFolder.Load(adapterDir, HfCheckpoint.Open(dir));
        var diff = (TestModels.Logits(loaded) - expected).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"{method}: reloaded logits differ by {diff}");
    }

    [Fact]
    public void Unknown_lora_target_fails_clearly()
    {
        var (ckpt, _) = TestModels.SavedBase();
        var e = Assert.Throws<PsimException>(() => TestModels.Attach(ckpt, "lora", new LoraConfig { TargetModules = new(["qkv_proj"]) }));
        Assert.Contains("qkv_proj", e.Message);
        Assert.Contains("query", e.Message);
        // as in peft, a list is fine as long as some entry matches
        var ok = TestModels.Attach(ckpt, "lora", new LoraConfig { TargetModules = new(["query", "qkv_proj"]) });
        Assert.Equal(ckpt.Config.NumHiddenLayers, ((LoraMethod)ok.Method).Layers.Count);
    }

    [Fact]
    public void Adapter_on_a_different_base_is_refused()
    {
        var (ckpt, _) = TestModels.SavedBase(21);
        var peft = TestModels.Attach(ckpt, "lora");
        var adapterDir = TestModels.TempDir();
        PeftAdapterFolder.Save(adapterDir, peft, ckpt, WeightsFingerprint.Compute(ckpt.Weights));
        var (other, _) = TestModels.SavedBase(22);
        var e = Assert.Throws<PsimException>(() => PeftAdapterFolder.Load(adapterDir, other));
        Assert.Contains("different base weights", e.Message);
    }

    [Theory]
    [InlineData("prompt")]
    [InlineData("ptuning")]
    [InlineData("prefix")]
    public void Padding_does_not_change_outputs_with_prompts_or_prefixes(string method)
    {
        var (ckpt, dir) = TestModels.SavedBase();
        var peft = TestModels.Attach(ckpt, method);
        TestModels.TrainSteps(peft, dir);
        var alone = TestModels.Logits(
            peft,
            new long[,]
            {
                { 101, 104, 105, 106, 102 },
            },
            new long[,]
            {
                { 1, 1, 1, 1, 1 },
            }
        );
        var padded = TestModels.Logits(peft);
        Assert.True((alone[0] - padded[0]).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Prompt_rows_reach_the_classifier()
    {
        var (ckpt, _) = TestModels.SavedBase();
        var prompt = TestModels.Attach(ckpt, "prompt");
        // the pooled read-out is position 0, a virtual token: changing only that prompt row changes the logits
        var before = TestModels.Logits(prompt);
        manual_seed(4);
        using (no_grad())
            ((PromptTuningAccess)prompt).FirstRow().add_(randn(prompt.Model.Config.HiddenSize));
        Assert.False(before.allclose(TestModels.Logits(prompt), 0, 1e-4));
    }
}

/// <summary>Test access to the prompt table of a prompt-tuned classifier.</summary>
internal readonly struct PromptTuningAccess
{
    private readonly PeftClassifier _m;

    private PromptTuningAccess(PeftClassifier m) => _m = m;

    public static explicit operator PromptTuningAccess(PeftClassifier m) => new(m);

    public Tensor FirstRow() => ((Psim.Peft.PromptTuning.PromptEmbedding)_m.Method.Module!).Weight[0];
}
