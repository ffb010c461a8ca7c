using Psim.IO;
using Psim.Models;
using static TorchSharp.torch;

namespace Psim.Tests;

public class CheckpointTests
{
    private static (string Dir, BertForSequenceClassification Model) SaveTiny(long seed = 3)
    {
        var dir = TestModels.TempDir();
        var model = TestModels.TinyClassifier(seed);
        var vocab = TestModels.WriteVocab(TestModels.TempDir());
        HfCheckpoint.Save(dir, model, model.Config, TestModels.Tokenizer(vocab), "unit test");
        return (dir, model);
    }

    private static Tensor Logits(BertForSequenceClassification m, long[,] ids)
    {
        m.eval();
        using var _ = no_grad();
        return m.call(new BertInput { InputIds = tensor(ids) });
    }

    [Fact]
    public void State_dict_keys_follow_hugging_face()
    {
        using var m = TestModels.TinyClassifier();
        var keys = m.state_dict().Keys.ToHashSet();
        string[] expected =
        [
            "bert.embeddings.word_embeddings.weight",
            "bert.embeddings.position_embeddings.weight",
            "bert.embeddings.token_type_embeddings.weight",
            "bert.embeddings.LayerNorm.weight",
            "bert.embeddings.LayerNorm.bias",
            "bert.encoder.layer.1.attention.self.query.weight",
            "bert.encoder.layer.1.attention.self.key.bias",
            "bert.encoder.layer.1.attention.self.value.weight",
            "bert.encoder.layer.1.attention.output.dense.weight",
            "bert.encoder.layer.1.attention.output.LayerNorm.bias",
            "bert.encoder.layer.1.intermediate.dense.weight",
            "bert.encoder.layer.1.output.dense.bias",
            "bert.encoder.layer.1.output.LayerNorm.weight",
            "bert.pooler.dense.weight",
            "bert.pooler.dense.bias",
            "classifier.weight",
            "classifier.bias",
        ];
        foreach (var k in expected)
            Assert.Contains(k, keys);
        Assert.Equal(5 + 2 * 16 + 2 + 2, keys.Count);
    }

    [Fact]
    public void Save_then_load_reproduces_logits_exactly()
    {
        var (dir, model) = SaveTiny();
        var ids = new long[,]
        {
            { 101, 104, 105, 102 },
            { 101, 106, 107, 102 },
        };
        var before = Logits(model, ids);
        var ckpt = HfCheckpoint.Open(dir);
        Assert.True(ckpt.HasClassifierHead);
        using var loaded = ckpt.LoadClassifier(out var report);
        Assert.True(report.IsClean, report.Describe());
        Assert.Empty(report.NewlyInitialized);
        Assert.True(before.Same(Logits(loaded, ids)));
        Assert.Contains("\"BertForSequenceClassification\"", File.ReadAllText(Path.Combine(dir, "config.json")));
    }

    [Fact]
    public void Encoder_only_checkpoint_loads_under_bert_prefix_with_a_new_head()
    {
        var dir = TestModels.TempDir();
        manual_seed(5);
        var config = TestModels.TinyConfig();
        using var enc = new BertModel(config);
        HfCheckpoint.Save(dir, enc, config, TestModels.Tokenizer(), "unit test");
        Assert.Contains("embeddings.word_embeddings.weight", SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors")).Entries.Keys);
        var ckpt = HfCheckpoint.Open(dir);
        Assert.False(ckpt.HasClassifierHead);
        using var cls = ckpt.LoadClassifier(out var report, numLabels: 3);
        Assert.Equal(["classifier.bias", "classifier.weight"], report.NewlyInitialized.Order());
        Assert.Equal(3, cls.Config.NumLabels);
        Assert.True(
            enc.state_dict()["encoder.layer.0.attention.self.query.weight"]
                .Same(cls.state_dict()["bert.encoder.layer.0.attention.self.query.weight"])
        );
    }

    [Fact]
    public void Classifier_checkpoint_loads_as_encoder_ignoring_the_head()
    {
        var (dir, model) = SaveTiny();
        using var enc = HfCheckpoint.Open(dir).LoadEncoder(out var report);
        Assert.Contains("classifier.weight", report.Ignored);
        Assert.True(model.Bert.state_dict()["pooler.dense.weight"].Same(enc.state_dict()["pooler.dense.weight"]));
    }

    [Fact]
    public void Mismatched_shapes_and_missing_keys_are_listed()
    {
        var (dir, _) = SaveTiny();
        // claim a wider model than the weights hold
        var cfgPath = Path.Combine(dir, "config.json");
        File.WriteAllText(cfgPath, File.ReadAllText(cfgPath).Replace("\"intermediate_size\": 64", "\"intermediate_size\": 96"));
        // refused when the folder is opened, before any model is built from the config
        var e = Assert.Throws<PsimFormatException>(() => HfCheckpoint.Open(dir));
        Assert.Contains("intermediate_size", e.Message);
        Assert.Contains("intermediate.dense.weight", e.Message);

        File.WriteAllText(
            cfgPath,
            File.ReadAllText(cfgPath)
                .Replace("\"intermediate_size\": 96", "\"intermediate_size\": 64")
                .Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3")
        );
        var e2 = Assert.Throws<PsimFormatException>(() => HfCheckpoint.Open(dir));
        Assert.Contains("num_hidden_layers is 3", e2.Message);
        Assert.Contains("holds 2 layers", e2.Message);
    }

    [Fact]
    public void Pickle_checkpoints_are_refused_with_an_explanation()
    {
        var dir = TestModels.TempDir();
        File.WriteAllText(Path.Combine(dir, "config.json"), TestModels.TinyConfig().ToJson());
        File.WriteAllBytes(Path.Combine(dir, "pytorch_model.bin"), [0x80, 0x02]);
        var e = Assert.Throws<PsimFormatException>(() => HfCheckpoint.Open(dir));
        Assert.Contains("pickle", e.Message);
        Assert.Contains("safetensors", e.Message);
        var pt = Path.Combine(dir, "weights.pt");
        File.WriteAllBytes(pt, [0x80, 0x02]);
        Assert.Contains("runs whatever code", Assert.Throws<PsimFormatException>(() => HfCheckpoint.Open(pt)).Message);
    }

    [Fact]
    public void Invalid_config_is_refused()
    {
        var (dir, _) = SaveTiny();
        var cfgPath = Path.Combine(dir, "config.json");
        File.WriteAllText(cfgPath, File.ReadAllText(cfgPath).Replace("\"num_attention_heads\": 4", "\"num_attention_heads\": 5"));
        Assert.Contains("not a multiple", Assert.Throws<PsimFormatException>(() => HfCheckpoint.Open(dir)).Message);
        File.WriteAllText(cfgPath, "{ not json");
        Assert.Contains("config.json:1: invalid JSON", Assert.Throws<PsimFormatException>(() => HfCheckpoint.Open(dir)).Message);
    }

    [Fact]
    public void A_sharded_checkpoint_loads_like_the_single_file()
    {
        var (dir, model) = SaveTiny();
        var single = HfCheckpoint.Open(dir);
        var fingerprint = WeightsFingerprint.Compute(single.Weights);
        var st = SafeTensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        var names = st.Entries.Keys.Order(StringComparer.Ordinal).ToList();
        var map = new System.Text.Json.Nodes.JsonObject();
        for (int part = 0; part < 2; part++)
        {
            var file = $"model-0000{part + 1}-of-00002.safetensors";
            var mine = names.Where((_, i) => i % 2 == part).ToList();
            SafeTensorsWriter.Write(Path.Combine(dir, file), mine.ToDictionary(n => n, st.Read));
            foreach (var n in mine)
                map[n] = file;
        }
        File.Delete(Path.Combine(dir, "model.safetensors"));
        var index = Path.Combine(dir, "model.safetensors.index.json");
        File.WriteAllText(
            index,
            new System.Text.Json.Nodes.JsonObject
            {
                ["metadata"] = new System.Text.Json.Nodes.JsonObject(),
                ["weight_map"] = map,
            }.ToJsonString()
        );

        var sharded = HfCheckpoint.Open(dir);
        Assert.Equal(fingerprint, WeightsFingerprint.Compute(sharded.Weights));
        using var loaded = sharded.LoadClassifier(out _);
        long[,] ids =
        {
            { 101, 104, 105, 102 },
        };
        Assert.True((Logits(loaded, ids) - Logits(model, ids)).abs().max().item<float>() < 1e-6);

        map[names[0]] = "model-00002-of-00002.safetensors"; // names[0] sits in shard 1
        File.WriteAllText(index, new System.Text.Json.Nodes.JsonObject { ["weight_map"] = map.DeepClone() }.ToJsonString());
        var e = Assert.Throws<PsimFormatException>(() => HfCheckpoint.Open(dir));
        Assert.Contains(names[0], e.Message);
    }
}

public class OutputFolderTests
{
    [Fact]
    public void A_folder_whose_run_never_finished_is_refused_and_stale_temp_files_are_removed()
    {
        var dir = TestModels.TempDir();
        Psim.Files.OutputFolder.Claim(dir, Psim.Files.OutputKind.Finetune, [], force: false); // an earlier finetune run's folder
        using (var m = TestModels.TinyClassifier())
            HfCheckpoint.Save(dir, m, m.Config, TestModels.Tokenizer(), "unit test");
        File.WriteAllText(Path.Combine(dir, "metrics.json"), "{\"clean_accuracy\": 0.9}");
        var dead = Path.Combine(dir, $"model.safetensors.tmp-999999999-{Guid.NewGuid():N}");
        var live = Path.Combine(dir, $"config.json.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var users = Path.Combine(dir, "draft.tmp-999999-abc"); // the temp-file pattern, but not a name psim makes
        File.WriteAllBytes(users, new byte[3]);
        File.WriteAllBytes(dead, new byte[1000]);
        File.WriteAllBytes(live, new byte[10]);

        // a new run starts writing the folder: stale results and dead temp files go, run.json says running until it ends
        var notes = new List<string>();
        new Psim.Workflows.RunRecord { Command = "finetune", Kind = Psim.Files.OutputKind.Finetune }.Execute(dir, notes.Add, () =>
        {
            Assert.False(File.Exists(dead));
            Assert.True(File.Exists(users));
            Assert.True(File.Exists(live)); // its writer is alive
            Assert.False(File.Exists(Path.Combine(dir, "metrics.json")));
            Assert.Contains("1,000 bytes", Assert.Single(notes));
            var e = Assert.Throws<PsimException>(() => HfCheckpoint.Open(dir)); // as a reader sees a killed run's folder
            Assert.Contains("never finished", e.Message);
            return 0;
        });
        Assert.NotNull(HfCheckpoint.Open(dir));
    }
}
