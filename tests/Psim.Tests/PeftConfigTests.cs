using System.Text.Json;
using Psim.IO;
using Psim.Models;
using Psim.Peft;
using Psim.Peft.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>adapter_config.json as peft writes and reads it: every field honoured, or refused by name.</summary>
public class PeftConfigTests
{
    /// <summary>A LoRA config as peft 0.13 writes it (every field of its LoraConfig).</summary>
    private static string PeftLora() =>
        """
            {
              "alpha_pattern": {}, "auto_mapping": null, "base_model_name_or_path": "some/model", "bias": "none",
              "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true, "layer_replication": null,
              "layers_pattern": null, "layers_to_transform": null, "loftq_config": {}, "lora_alpha": 16, "lora_dropout": 0.0,
              "megatron_config": null, "megatron_core": "megatron.core", "modules_to_save": ["classifier"], "peft_type": "LORA",
              "r": 4, "rank_pattern": {}, "revision": null, "target_modules": ["query", "value"], "task_type": "SEQ_CLS",
              "use_dora": false, "use_rslora": false, "peft_version": "0.13.2"
            }
            """;

    /// <summary>The peft config with some fields replaced (overrides: ", \"field\": value, ...").</summary>
    private static LoraConfig Parse(string overrides)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(PeftLora())!.AsObject();
        var changes = System.Text.Json.Nodes.JsonNode.Parse("{" + overrides.Trim().TrimStart(',') + "}")!.AsObject();
        foreach (var (k, v) in changes.ToList())
        {
            changes.Remove(k);
            node[k] = v;
        }
        return (LoraConfig)PeftConfig.Parse(node.ToJsonString(), "adapter_config.json");
    }

    [Fact]
    public void Rslora_probabilities_equal_a_hand_computed_merge_with_alpha_over_sqrt_r()
    {
        // "lora_alpha": 8.0 is how Python writes a float; rsLoRA scaling = 8 / sqrt(4) = 4 (plain LoRA would be 2)
        var config = Parse(""", "use_rslora": true, "lora_alpha": 8.0, "target_modules": ["query"]""");
        var (ckpt, _) = TestModels.SavedBase();
        var peft = TestModels.Attach(ckpt, "lora", config);
        var layers = ((LoraMethod)peft.Method).Layers;
        Assert.Equal(2, layers.Count);
        manual_seed(7);
        using (no_grad())
            foreach (var (_, l) in layers)
                l.B.copy_(randn(l.B.shape) * 0.5);

        using var reference = ckpt.LoadClassifier(out _);
        using (no_grad())
            for (int i = 0; i < layers.Count; i++)
            {
                var (path, l) = layers[i];
                Assert.Equal($"bert.encoder.layer.{i}.attention.self.query", path);
                var query = (Linear)reference.Bert.Encoder.Layers[i].Attention.Self.GetLinear("query");
                query.weight!.add_(l.B.matmul(l.A) * (8.0 / Math.Sqrt(4)));
            }
        var expected = TestModels.Logits(reference).softmax(-1);
        var actual = TestModels.Logits(peft).softmax(-1);
        Assert.True((expected - actual).abs().max().item<float>() < 1e-5, "rsLoRA probabilities differ from W + (alpha/sqrt r) B A");
    }

    [Fact]
    public void Rank_and_alpha_patterns_apply_per_module()
    {
        var config = Parse(""", "rank_pattern": {"value": 2}, "alpha_pattern": {"layer.0.attention.self.query": 32}""");
        var (ckpt, _) = TestModels.SavedBase();
        var layers = ((LoraMethod)TestModels.Attach(ckpt, "lora", config).Method).Layers.ToDictionary(l => l.Path, l => l.Layer);
        Assert.Equal(2, layers["bert.encoder.layer.1.attention.self.value"].A.shape[0]);
        Assert.Equal(4, layers["bert.encoder.layer.1.attention.self.query"].A.shape[0]);
        Assert.Equal(32.0 / 4, layers["bert.encoder.layer.0.attention.self.query"].Scaling);
        Assert.Equal(16.0 / 4, layers["bert.encoder.layer.1.attention.self.query"].Scaling);
        Assert.Equal(16.0 / 2, layers["bert.encoder.layer.0.attention.self.value"].Scaling);
    }

    [Fact]
    public void Regex_dense_and_layer_targets_select_modules_as_peft_does()
    {
        var (ckpt, _) = TestModels.SavedBase();
        string[] Paths(string overrides) =>
            [.. ((LoraMethod)TestModels.Attach(ckpt, "lora", Parse(overrides)).Method).Layers.Select(l => l.Path).Order()];
        Assert.Equal(
            ["bert.encoder.layer.1.attention.self.key", "bert.encoder.layer.1.attention.self.query"],
            Paths(""", "target_modules": ".*\\.layer\\.1\\..*(query|key)" """)
        );
        var dense = Paths(""", "target_modules": ["dense"]""");
        Assert.Equal(3 * 2 + 1, dense.Length);
        Assert.Contains("bert.pooler.dense", dense);
        Assert.Contains("bert.encoder.layer.0.intermediate.dense", dense);
        Assert.Equal(
            ["bert.encoder.layer.0.attention.self.query", "bert.encoder.layer.0.attention.self.value"],
            Paths(""", "layers_to_transform": [0]""")
        );
    }

    [Fact]
    public void Lora_on_the_pooler_changes_the_output_and_reloads()
    {
        var (ckpt, dir) = TestModels.SavedBase();
        var peft = TestModels.Attach(ckpt, "lora", Parse(""", "target_modules": ["dense"]"""));
        TestModels.TrainSteps(peft, dir);
        var expected = TestModels.Logits(peft);
        var adapterDir = TestModels.TempDir();
        PeftAdapterFolder.Save(adapterDir, peft, ckpt, WeightsFingerprint.Compute(ckpt.Weights));
        Assert.Contains(
            "base_model.model.bert.pooler.dense.lora_A.weight",
            SafeTensorsFile.Open(Path.Combine(adapterDir, PeftAdapterFolder.WeightsFile)).Entries.Keys
        );
        var loaded = PeftAdapterFolder.Load(adapterDir, ckpt);
        Assert.True((TestModels.Logits(loaded) - expected).abs().max().item<float>() < 1e-5);
    }

    [Fact]
    public void Psim_writes_only_the_fields_peft_has()
    {
        var (ckpt, _) = TestModels.SavedBase();
        var peftFields = JsonDocument.Parse(PeftLora()).RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var method in new[] { "lora", "prompt", "ptuning", "prefix" })
        {
            var dir = TestModels.TempDir();
            PeftAdapterFolder.Save(dir, TestModels.Attach(ckpt, method), ckpt, WeightsFingerprint.Compute(ckpt.Weights));
            var written = JsonDocument
                .Parse(File.ReadAllText(Path.Combine(dir, PeftAdapterFolder.ConfigFile)))
                .RootElement.EnumerateObject()
                .Select(p => p.Name)
                .ToList();
            Assert.DoesNotContain("PeftType", written);
            Assert.DoesNotContain("Method", written);
            Assert.All(written, k => Assert.Matches("^[a-z_]+$", k));
            if (method == "lora")
                Assert.DoesNotContain(written, k => !peftFields.Contains(k));
        }
    }

    [Theory]
    [InlineData(""", "use_dora": true""", "use_dora")]
    [InlineData(""", "init_lora_weights": "pissa" """, "init_lora_weights")]
    [InlineData(""", "r": 8.5""", "r")]
    [InlineData(""", "some_future_field": 3""", "some_future_field")]
    [InlineData(""", "modules_to_save": ["classifier", "pooler"]""", "modules_to_save")]
    [InlineData(""", "bias": "all" """, "bias")]
    [InlineData(""", "loftq_config": {"loftq_bits": 4}""", "loftq_config")]
    [InlineData(""", "target_modules": 5""", "target_modules")]
    public void Fields_that_change_the_numbers_are_refused_by_name(string overrides, string field)
    {
        var e = Assert.Throws<PsimFormatException>(() => Parse(overrides));
        Assert.Contains(field, e.Message);
        Assert.Contains("adapter_config.json", e.Message);
    }

    [Fact]
    public void Off_values_of_unknown_fields_and_whole_floats_are_accepted()
    {
        var c = Parse(""", "some_future_field": null, "r": 8.0, "lora_alpha": 16.0""");
        Assert.Equal(8, c.R);
        Assert.Equal(2.0, c.Scaling(c.R, c.LoraAlpha));
    }

    [Theory]
    [InlineData("ptuning", "encoder_reparameterization_type", "\"LSTM\"")]
    [InlineData("prefix", "prefix_projection", "true")]
    public void Ptuning_lstm_and_prefix_projection_train_save_and_reload(string method, string field, string value)
    {
        var (ckpt, dir) = TestModels.SavedBase();
        var json = PeftFactory.DefaultConfig(Vocabulary<TuningMethod>.Parse(method, "method"), ckpt.Config).ToJson();
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
        if (method == "prefix")
            node["encoder_hidden_size"] = 24;
        var config = PeftConfig.Parse(node.ToJsonString(), "adapter_config.json");
        manual_seed(5);
        var peft = TestModels.Attach(ckpt, method, config);
        var before = TestModels.Logits(peft);
        TestModels.TrainSteps(peft, dir);
        var expected = TestModels.Logits(peft);
        Assert.False(before.allclose(expected, 0, 1e-5), "training did not move the prompts");
        var adapterDir = TestModels.TempDir();
        PeftAdapterFolder.Save(adapterDir, peft, ckpt, WeightsFingerprint.Compute(ckpt.Weights));
        var loaded = PeftAdapterFolder.Load(adapterDir, ckpt);
        Assert.True((TestModels.Logits(loaded) - expected).abs().max().item<float>() < 1e-5);
    }
}

/// <summary>
/// Issue 27: adapter folders as peft's own <c>save_pretrained</c> writes them for sequence classification.
/// <c>PeftModelForSequenceClassification</c> adds its <c>classifier_module_names</c> ("classifier", "score") to
/// modules_to_save and, since peft 0.11 (LoRA) and 0.17 (prompt learning), writes the list into
/// adapter_config.json; peft writes no psim identity file.
/// </summary>
public class PeftWrittenAdapterTests
{
    /// <summary>The fields a peft version adds to what psim writes for the method, as JSON members.</summary>
    public static TheoryData<string, string> Fixtures() =>
        new()
        {
            { "lora", """ "peft_version": "0.11.1", "modules_to_save": ["classifier", "score"] """ },
            {
                "lora",
                """ "peft_version": "0.13.2", "modules_to_save": ["score", "classifier"], "use_dora": false, "layer_replication": null """
            },
            {
                "lora",
                """ "peft_version": "0.17.1", "modules_to_save": ["classifier", "score"], "exclude_modules": null, "lora_bias": false, "trainable_token_indices": null, "target_parameters": null, "eva_config": null, "corda_config": null, "use_qalora": false, "qalora_group_size": 16 """
            },
            { "prompt", """ "peft_version": "0.17.1", "modules_to_save": ["classifier", "score"], "tokenizer_kwargs": null """ },
            { "ptuning", """ "peft_version": "0.17.1", "modules_to_save": ["classifier", "score"] """ },
            { "prefix", """ "peft_version": "0.17.1", "modules_to_save": ["classifier", "score"] """ },
        };

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void An_adapter_peft_saved_for_classification_loads_and_agrees(string method, string peftFields)
    {
        var (ckpt, dir) = TestModels.SavedBase();
        manual_seed(9);
        var peft = TestModels.Attach(ckpt, method);
        TestModels.TrainSteps(peft, dir);
        var expected = TestModels.Logits(peft);
        var adapterDir = TestModels.TempDir();
        PeftAdapterFolder.Save(adapterDir, peft, ckpt, WeightsFingerprint.Compute(ckpt.Weights));

        var configPath = Path.Combine(adapterDir, "adapter_config.json");
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        foreach (var (k, v) in System.Text.Json.Nodes.JsonNode.Parse("{" + peftFields + "}")!.AsObject().ToList())
            config[k] = v?.DeepClone();
        File.WriteAllText(configPath, config.ToJsonString());
        File.Delete(Path.Combine(adapterDir, PeftAdapterFolder.IdentityFile));

        var warnings = new List<string>();
        var loaded = PeftAdapterFolder.Load(adapterDir, ckpt, warnings.Add);
        Assert.True((TestModels.Logits(loaded) - expected).abs().max().item<float>() < 1e-5);
        Assert.Contains(warnings, w => w.Contains("cannot check"));
    }

    [Theory]
    [InlineData("""["classifier", "pooler"]""")]
    [InlineData("""["classifier", "score", "dense"]""")]
    [InlineData("""["scores"]""")]
    public void A_module_to_save_other_than_peft_head_names_is_refused(string modules)
    {
        foreach (var method in new[] { "lora", "ptuning" })
        {
            var (ckpt, _) = TestModels.SavedBase();
            var node = System
                .Text.Json.Nodes.JsonNode.Parse(
                    PeftFactory.DefaultConfig(Vocabulary<TuningMethod>.Parse(method, "method"), ckpt.Config).ToJson()
                )!
                .AsObject();
            node["modules_to_save"] = System.Text.Json.Nodes.JsonNode.Parse(modules);
            var e = Assert.Throws<PsimFormatException>(() => PeftConfig.Parse(node.ToJsonString(), "adapter_config.json"));
            Assert.Contains("modules_to_save", e.Message);
        }
    }
}
