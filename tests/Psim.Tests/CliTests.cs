using System.Text;
using System.Text.Json;
using Psim.Cli;
using Psim.IO;

namespace Psim.Tests;

/// <summary>The psim command, run in-process with captured stdout and stderr.</summary>
public class CliTests
{
    private static string CorruptModelDir(byte[] weights)
    {
        var dir = TestModels.TempDir();
        File.WriteAllText(Path.Combine(dir, "config.json"), TestModels.TinyConfig().ToJson());
        TestModels.WriteVocab(dir);
        File.WriteAllBytes(Path.Combine(dir, "model.safetensors"), weights);
        return dir;
    }

    [Theory]
    [InlineData(new byte[] { 1, 2 }, "shorter than the 8-byte header length")]
    [InlineData(new byte[] { 255, 255, 255, 255, 255, 255, 255, 127, (byte)'{', (byte)'}' }, "over the 100,000,000-byte limit")]
    [InlineData(new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x', (byte)'x', (byte)'x' }, "not valid JSON")]
    public void Bad_weights_give_one_line_and_exit_code_1(byte[] weights, string expected)
    {
        var (code, _, err) = TestCli.Psim("model", "info", "--model", CorruptModelDir(weights));
        Assert.Equal(1, code);
        Assert.StartsWith("psim: error: ", err);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err); // no stack trace
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void Missing_folder_and_unknown_option_fail_cleanly()
    {
        var (code, _, err) = TestCli.Psim("model", "info", "--model", "/nonexistent/psim-model");
        Assert.Equal(1, code);
        Assert.Contains("model folder not found", err);
        var (code2, _, _) = TestCli.Psim("model", "info", "--no-such-option");
        Assert.NotEqual(0, code2);
    }

    [Fact]
    public void Info_reports_the_default_model_as_json()
    {
        var (code, output, _) = TestCli.Psim("model", "info", "--model", "minilm", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        Assert.Equal(22_713_216, r.GetProperty("encoder_parameters").GetInt64());
        Assert.Equal(6, r.GetProperty("layers").GetInt32());
        Assert.Equal(384, r.GetProperty("hidden").GetInt32());
        Assert.Equal(30_522, r.GetProperty("vocab_size").GetInt32());
        Assert.Contains("all-MiniLM-L6-v2", r.GetProperty("origin").GetString());
    }

    [Fact]
    public void Export_writes_a_hugging_face_folder()
    {
        var outDir = Path.Combine(TestModels.TempDir(), "exported");
        var (code, _, err) = TestCli.Psim("model", "export", "--model", "minilm", "--out", outDir);
        Assert.Equal(0, code);
        foreach (var f in new[] { "config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        var st = SafeTensorsFile.Open(Path.Combine(outDir, "model.safetensors"));
        Assert.Contains("encoder.layer.5.attention.self.query.weight", st.Entries.Keys);
        Assert.Contains("pooler.dense.weight", st.Entries.Keys);
        Assert.Equal(new long[] { 384, 384 }, st.Entries["encoder.layer.0.attention.self.query.weight"].Shape);
        Assert.Equal("pt", st.Metadata["format"]);
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))).RootElement;
        Assert.Equal("bert", config.GetProperty("model_type").GetString());
        Assert.Equal("BertModel", config.GetProperty("architectures")[0].GetString());
        Assert.Equal(1536, config.GetProperty("intermediate_size").GetInt32());
        Assert.DoesNotContain("\r", File.ReadAllText(Path.Combine(outDir, "vocab.txt")));
        // and psim reads its own export back
        Assert.Equal(0, TestCli.Psim("model", "info", "--model", outDir).Code);
    }

    [Fact]
    public void Threads_is_declared_once_and_every_command_takes_it()
    {
        var root = PsimApp.Build();
        int declared = 0;
        void Walk(System.CommandLine.Command c)
        {
            declared += c.Options.Count(o => o.Name == "--threads");
            foreach (var sub in c.Subcommands)
                Walk(sub);
        }
        Walk(root);
        Assert.Equal(1, declared);
        Assert.Empty(root.Parse(["poison", "--data", "d", "--out", "o", "--attack", "badnet", "--threads", "1"]).Errors);
        Assert.Empty(
            root.Parse(["defend", "baselines", "--model", "m", "--data", "d", "--out", "o", "--attack", "badnet", "--threads", "1"]).Errors
        );
        var (code, _, err) = TestCli.Psim("reproduce", "--out", TestModels.TempDir(), "--threads", "0");
        Assert.Equal(1, code);
        Assert.Contains("--threads 0 is out of range", err);
        (code, _, err) = TestCli.Psim("reproduce", "--out", TestModels.TempDir(), "--threads", "100000");
        Assert.Equal(1, code);
        Assert.Contains("--threads 100000 is out of range", err);
    }
}
