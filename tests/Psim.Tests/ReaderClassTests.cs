using System.Diagnostics;
using System.Text;
using Psim.Defense.Psim;
using Psim.IO;
using Psim.Peft;

namespace Psim.Tests;

/// <summary>
/// Every class of hostile file, generated over every JSON file psim reads: each (reader, class) pair is put in
/// place of a good file and the command that reads it must end with exit 1 and a one-line message naming the
/// file, never exit 70, a stack trace, a hang or a peak over 1.5 GiB. A new reader added to <see cref="Readers"/> inherits every
/// class; a new class added to <see cref="Classes"/> runs on every reader.
/// </summary>
public class ReaderClassTests
{
    /// <summary>A file psim reads: where it sits in a fresh copy of the fixture, and the command that reads it.</summary>
    private sealed record Reader(string Name, Func<CorpusFixture, (string File, string[] Args)> Place);

    /// <summary>What a hostile file is: its bytes made from the good file's (null: <see cref="Special"/> makes it from the good file in place), and what the message must say.</summary>
    private sealed record HostileClass(string Name, Func<byte[], byte[]>? Bytes, Action<string>? Special, string? Expected);

    private static IEnumerable<Reader> Readers()
    {
        yield return new("config.json", f =>
        {
            var d = f.CopyModel();
            return (Path.Combine(d, HfCheckpoint.ConfigFile), ["model", "info", "--model", d]);
        });
        yield return new("tokenizer_config.json", f =>
        {
            var d = f.CopyModel();
            return (Path.Combine(d, HfCheckpoint.TokenizerConfigFile), ["model", "info", "--model", d]);
        });
        yield return new("tokenizer.json", f =>
        {
            var d = f.CopyModel(); // the fast tokenizer's file, read when the folder has no vocab.txt
            var vocab = new System.Text.Json.Nodes.JsonObject();
            var words = File.ReadAllLines(Path.Combine(d, TokenizerFolder.VocabFile));
            for (int i = 0; i < words.Length; i++)
                vocab[words[i]] = i;
            File.Delete(Path.Combine(d, TokenizerFolder.VocabFile));
            var json = new System.Text.Json.Nodes.JsonObject
            {
                ["normalizer"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "BertNormalizer", ["lowercase"] = true },
                ["pre_tokenizer"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "BertPreTokenizer" },
                ["model"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["type"] = "WordPiece",
                    ["unk_token"] = "[UNK]",
                    ["continuing_subword_prefix"] = "##",
                    ["max_input_chars_per_word"] = 100,
                    ["vocab"] = vocab,
                },
            };
            File.WriteAllText(Path.Combine(d, TokenizerFolder.FastFile), json.ToJsonString());
            return (Path.Combine(d, TokenizerFolder.FastFile), ["model", "tokenize", "--model", d, "--text", "a good movie"]);
        });
        yield return new("psim_origin.json", f =>
        {
            var d = f.CopyModel();
            File.WriteAllText(Path.Combine(d, HfCheckpoint.OriginFile), """{"origin": "corpus fixture", "written_by": "psim"}""");
            return (Path.Combine(d, HfCheckpoint.OriginFile), ["model", "info", "--model", d]);
        });
        yield return new("adapter_config.json", f =>
        {
            var a = f.CopyAdapter();
            return (Path.Combine(a, PeftAdapterFolder.ConfigFile), ["evaluate", "--model", f.Model, "--adapter", a, "--data", f.Data]);
        });
        yield return new("psim_adapter.json", f =>
        {
            var a = f.CopyAdapter();
            return (Path.Combine(a, PeftAdapterFolder.IdentityFile), ["evaluate", "--model", f.Model, "--adapter", a, "--data", f.Data]);
        });
        yield return new("psim.json", f =>
        {
            var d = f.CopyDetector();
            return (Path.Combine(d, PsimDetector.SettingsFile), ["scan", "--detector", d, "--input", f.Texts]);
        });
        yield return new("test.jsonl", f =>
        {
            var d = f.CopyData();
            return (Path.Combine(d, "test.jsonl"), ["evaluate", "--model", f.Model, "--data", d]);
        });
        yield return new("study config", _ =>
        {
            var dir = TestModels.TempDir();
            var config = Path.Combine(dir, "study.json");
            File.WriteAllText(config, """{"seeds": [42], "attacks": ["badnet"]}""");
            return (config, ["reproduce", "--preset", "quick", "--config", config, "--out", Path.Combine(dir, "study")]);
        });
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The good file with its first '{' followed by a field whose string is <paramref name="value"/> (JSONL: on the first line).</summary>
    private static byte[] WithField(byte[] good, string field)
    {
        var text = Encoding.UTF8.GetString(good);
        int at = text.IndexOf('{');
        return Utf8(text[..(at + 1)] + field + "," + text[(at + 1)..]);
    }

    private static IEnumerable<HostileClass> Classes()
    {
        yield return new("lone-surrogate", g => WithField(g, "\"x\": \"a\\ud800b\""), null, "surrogate");
        yield return new("reversed-surrogates", g => WithField(g, "\"x\": \"\\udc00\\ud800\""), null, "surrogate");
        yield return new(
            "duplicate-key",
            g =>
            {
                var text = Encoding.UTF8.GetString(g);
                int open = text.IndexOf('{'),
                    colon = text.IndexOf(':', open);
                var key = text[(open + 1)..colon].Trim();
                return Utf8(text[..(open + 1)] + key + ": 0," + text[(open + 1)..]);
            },
            null,
            null
        );
        yield return new("invalid-utf8", g => [.. g[..^1], 0xC3, 0x28, .. g[^1..]], null, "UTF-8");
        yield return new(
            "utf16",
            g => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(g))).ToArray(),
            null,
            "UTF-16"
        );
        yield return new("root-array", _ => Utf8("[1, 2, 3]"), null, null);
        yield return new("truncated", g => g[..Array.IndexOf(g, (byte)'}')], null, null); // cut inside the first JSON value
        yield return new("empty", _ => [], null, null);
        yield return new(
            "fifo",
            null,
            path =>
            {
                File.Delete(path);
                using var p = Process.Start("mkfifo", path);
                p.WaitForExit();
            },
            "not a regular file"
        );
        yield return new(
            "link-to-dev-zero",
            null,
            path =>
            {
                File.Delete(path);
                File.CreateSymbolicLink(path, "/dev/zero");
            },
            "not a regular file"
        );
        yield return new("line-64-mib", null, LongLine, null); // read whole, the peak passes 1.5 GiB (a 100 MB line took 2.9 GB)
        yield return new(
            "sparse-300-mib",
            null,
            path =>
            {
                using var fs = File.Create(path);
                fs.SetLength(300L << 20);
            },
            "bytes"
        );
    }

    /// <summary>The good file (in <paramref name="path"/>) with a 64 MiB string field after its first '{', written in chunks so that the test itself holds no large buffer.</summary>
    private static void LongLine(string path)
    {
        var good = File.ReadAllBytes(path);
        int at = Array.IndexOf(good, (byte)'{') + 1;
        using var fs = File.Create(path);
        fs.Write(good, 0, at);
        fs.Write(Utf8("\"x\": \""));
        var chunk = Enumerable.Repeat((byte)'x', 1 << 20).ToArray();
        for (int i = 0; i < 64; i++)
            fs.Write(chunk);
        fs.Write(Utf8("\","));
        fs.Write(good, at, good.Length - at);
    }

    public static TheoryData<string, string> Pairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in Readers())
        foreach (var c in Classes())
            data.Add(r.Name, c.Name);
        return data;
    }

    [Fact]
    public void Every_reader_reads_its_good_file()
    {
        foreach (var r in Readers().Where(r => r.Name != "study config")) // a good study config would run the study
        {
            var (_, args) = r.Place(CorpusFixture.Shared.Value);
            var (code, _, err) = TestCli.Psim(args);
            Assert.True(code == 0, $"{r.Name}: exit {code}: {err}");
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task A_hostile_file_of_each_class_is_refused_by_every_reader(string reader, string hostile)
    {
        var r = Readers().Single(x => x.Name == reader);
        var c = Classes().Single(x => x.Name == hostile);
        var (file, args) = r.Place(CorpusFixture.Shared.Value);
        var good = File.ReadAllBytes(file);
        if (c.Bytes is { } make)
            File.WriteAllBytes(file, make(good));
        else
            c.Special!(file);
        ProcessPeak.Reset();
        var (code, _, err) = await Task.Run(() => TestCli.Psim(args)).WaitAsync(TimeSpan.FromSeconds(60)); // TimeoutException: a hang
        ProcessPeak.AssertUnderBound($"{hostile} in {reader}");
        Assert.DoesNotContain("internal error", err);
        Assert.DoesNotContain("   at ", err);
        Assert.True(code == 1, $"exit {code} for {hostile} in {reader}: {err}");
        Assert.Contains(Path.GetFileName(file), err);
        if (c.Expected is { } expected)
            Assert.Contains(expected, err);
    }
}
