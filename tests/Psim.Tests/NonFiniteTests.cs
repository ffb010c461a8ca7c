using Psim.IO;
using Psim.Peft;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>
/// Issue 27, class 2: a non-finite number stops the run, never scores. Finite weights whose logits overflow,
/// an adapter whose scaling overflows, and out-of-range options each end with exit 1 and a message, never a
/// CA or ASR computed from NaN (argmax takes NaN logits as class 0).
/// </summary>
public class NonFiniteTests
{
    /// <summary>A tiny task and a LoRA adapter over its base whose lora_alpha is rewritten to <paramref name="alpha"/>.</summary>
    private static (string Base, string Data, string Adapter) LoraWithAlpha(double alpha)
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var ckpt = HfCheckpoint.Open(baseDir);
        manual_seed(3);
        var peft = TestModels.Attach(ckpt, "lora");
        TestModels.TrainSteps(peft, baseDir);
        var adapter = TestModels.TempDir();
        PeftAdapterFolder.Save(adapter, peft, ckpt, WeightsFingerprint.Compute(ckpt.Weights));
        var config = Path.Combine(adapter, PeftAdapterFolder.ConfigFile);
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        node["lora_alpha"] = alpha;
        File.WriteAllText(config, node.ToJsonString());
        return (baseDir, dataDir, adapter);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("defend baselines")]
    public void An_adapter_whose_scaling_overflows_stops_the_command_instead_of_scoring(string command)
    {
        var (baseDir, data, adapter) = LoraWithAlpha(1e36);
        string[] args =
            command == "evaluate"
                ? ["evaluate", "--model", baseDir, "--adapter", adapter, "--data", data, "--attack", "badnet", "--max-length", "16"]
                :
                [
                    "defend",
                    "baselines",
                    "--model",
                    baseDir,
                    "--adapter",
                    adapter,
                    "--data",
                    data,
                    "--attack",
                    "badnet",
                    "--defense",
                    "dan",
                    "--max-length",
                    "16",
                    "--out",
                    Path.Combine(TestModels.TempDir(), "b"),
                ];
        var (code, output, err) = TestCli.Psim(args);
        Assert.True(code == 1, err);
        Assert.Contains("NaN", err);
        Assert.DoesNotContain("CA ", output);
    }

    [Fact]
    public void Finite_weights_whose_logits_overflow_stop_evaluation_and_merge_writes_no_weights()
    {
        var (baseDir, data) = TestModels.TinyTask();
        var scaled = TestModels.TempDir();
        using (var m = TestModels.TinyClassifier(31))
        {
            using (no_grad())
                m.Bert.Embeddings.WordEmbeddings.weight!.mul_(1e30f); // finite, but LayerNorm's variance (x² = 1e60) overflows
            HfCheckpoint.Save(scaled, m, m.Config, TestModels.Tokenizer(), "scaled head");
        }
        var (code, evalOut, err) = TestCli.Psim("evaluate", "--model", scaled, "--data", data, "--max-length", "16");
        Assert.True(code == 1, "evaluate: " + err + evalOut);
        Assert.Contains("NaN", err);

        var (b, _, adapter) = LoraWithAlpha(1e308); // the scaling alpha / r overflows float32
        var merged = Path.Combine(TestModels.TempDir(), "merged");
        (code, _, err) = TestCli.Psim("merge", "--model", b, "--adapter", adapter, "--out", merged);
        Assert.True(code == 1, err);
        Assert.Contains("non-finite", err);
        Assert.False(File.Exists(Path.Combine(merged, HfCheckpoint.WeightsFile)));
    }

    [Fact]
    public void Finite_require_names_the_stage_and_passes_finite_tensors()
    {
        Finite.Require(tensor(new[] { 1f, -3e38f }), "ok");
        var e = Assert.Throws<NonFiniteException>(() =>
            Finite.Require(tensor(new[] { 1f, float.NaN, float.PositiveInfinity }), "test (victim)")
        );
        Assert.Contains("test (victim)", e.Message);
        Assert.Contains("1 NaN and 1 infinite", e.Message);
    }

    [Theory]
    [InlineData("--max-grad-norm", "1e308")]
    [InlineData("--lr", "-1e300")]
    [InlineData("--warmup-ratio", "1e10")]
    [InlineData("--epochs", "9223372036854775807")]
    public void Numeric_options_are_bounded_where_they_are_parsed(string option, string value)
    {
        var (code, _, err) = TestCli.Psim(
            "finetune",
            "--model",
            "m",
            "--data",
            "d",
            "--out",
            Path.Combine(TestModels.TempDir(), "o"),
            option,
            value
        );
        Assert.Equal(1, code);
        Assert.Contains(option, err);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1e300")]
    [InlineData("1.5")]
    public void A_psim_threshold_outside_0_1_is_refused_by_defend_evaluate_as_by_detector_train(string threshold)
    {
        var (code, _, err) = TestCli.Psim(
            "defend",
            "evaluate",
            "--model",
            "m",
            "--detector",
            "d",
            "--data",
            "x",
            "--attack",
            "badnet",
            "--out",
            Path.Combine(TestModels.TempDir(), "o"),
            "--threshold",
            threshold
        );
        Assert.Equal(1, code);
        Assert.Contains("threshold", err);
    }
}
