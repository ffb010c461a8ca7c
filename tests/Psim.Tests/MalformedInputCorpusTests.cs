using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.Defense.Psim;
using Psim.IO;
using Psim.Peft;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>
/// A corpus of malformed inputs (safetensors, config, vocabulary, tokenizer, adapters, detectors, data,
/// options), each run through the psim command in-process: every one must end with exit code 1 and a
/// one-line message naming the file or option at fault, never exit 70 ("internal error") and never a
/// peak over 1.5 GiB (the process's peak during the case, <see cref="ProcessPeak"/>).
/// </summary>
public class MalformedInputCorpusTests
{
    private sealed record Case(string Name, Func<string[]> Args, Func<string> Expected);

    public static TheoryData<string> Names() => [.. Cases().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Malformed_input_is_refused_with_exit_1_naming_the_culprit(string name)
    {
        var c = Cases().Single(x => x.Name == name);
        var args = c.Args();
        ProcessPeak.Reset();
        var (code, _, err) = TestCli.Psim(args);
        Assert.DoesNotContain("internal error", err);
        Assert.True(code == 1, $"exit {code} for {name}: {err}");
        Assert.Contains(c.Expected(), err);
        Assert.DoesNotContain("   at ", err);
        ProcessPeak.AssertUnderBound(name);
    }

    [Fact]
    public void The_corpus_has_at_least_60_cases() => Assert.True(Cases().Count() >= 60, $"{Cases().Count()} cases");

    private static IEnumerable<Case> Cases()
    {
        var f = CorpusFixture.Shared.Value;
        string weights(string dir) => Path.Combine(dir, "model.safetensors");
        // --- safetensors ---
        Case Weights(string name, Func<byte[]> bytes, string? expected = null) =>
            new(
                name,
                () =>
                {
                    var dir = f.CopyModel();
                    File.WriteAllBytes(weights(dir), bytes());
                    return ["model", "info", "--model", dir];
                },
                () => expected ?? "model.safetensors"
            );
        yield return Weights("st-2-bytes", () => [1, 2]);
        yield return Weights("st-huge-header", () => [255, 255, 255, 255, 255, 255, 255, 127, (byte)'{', (byte)'}']);
        yield return Weights("st-not-json", () => CorpusFixture.RawHeader("{xxx", []));
        yield return Weights("st-array-header", () => CorpusFixture.RawHeader("[1,2]", []));
        yield return Weights("st-offsets-not-numbers", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F32","shape":[1],"data_offsets":["a",4]}}""", new byte[4])
        );
        yield return Weights("st-offsets-three", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", new byte[4])
        );
        yield return Weights("st-offsets-negative", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", new byte[4])
        );
        yield return Weights("st-shape-fraction", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", new byte[4])
        );
        yield return Weights("st-shape-negative", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", new byte[4])
        );
        yield return Weights("st-dtype-unknown", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F8","shape":[1],"data_offsets":[0,4]}}""", new byte[4])
        );
        yield return Weights("st-bytes-vs-shape", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", new byte[4])
        );
        yield return Weights("st-overlap", () =>
            CorpusFixture.RawHeader(
                """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""",
                new byte[4]
            )
        );
        yield return Weights("st-gap", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8])
        );
        yield return Weights("st-truncated", () =>
            CorpusFixture.RawHeader("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[8])
        );
        yield return Weights("st-invalid-utf8", () => CorpusFixture.RawHeader("{\"a\xff\":{}}", []));
        yield return Weights("st-metadata-number", () => CorpusFixture.RawHeader("""{"__metadata__":{"format":1}}""", []));
        yield return Weights("st-duplicate-tensor", () =>
            CorpusFixture.RawHeader(
                """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""",
                new byte[4]
            )
        );
        yield return Weights("st-empty-header-object", () => CorpusFixture.RawHeader("{}", []), "embeddings.word_embeddings.weight");
        Case Tensors(string name, Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>> change, string expected) =>
            new(
                name,
                () =>
                {
                    var dir = f.CopyModel();
                    var st = SafeTensorsFile.Open(weights(dir));
                    var all = st.Entries.Keys.ToDictionary(k => k, st.Read);
                    SafeTensorsWriter.Write(weights(dir), change(all));
                    return ["model", "export", "--model", dir, "--out", Path.Combine(TestModels.TempDir(), "x")];
                },
                () => expected
            );
        const string Emb = "bert.embeddings.word_embeddings.weight";
        yield return Tensors(
            "st-nan-weight",
            t =>
            {
                t[Emb][0, 0] = float.NaN;
                return t;
            },
            "NaN or infinite"
        );
        yield return Tensors(
            "st-inf-weight",
            t =>
            {
                t["classifier.weight"][0, 0] = float.PositiveInfinity;
                return t;
            },
            "classifier.weight"
        );
        yield return Tensors(
            "st-int-weight",
            t =>
            {
                t[Emb] = t[Emb].to(ScalarType.Int64);
                return t;
            },
            "is I64"
        );
        yield return Tensors(
            "st-bool-weight",
            t =>
            {
                t["classifier.bias"] = t["classifier.bias"].gt(0);
                return t;
            },
            "is BOOL"
        );
        yield return new(
            "st-fifo",
            () =>
            {
                var dir = f.CopyModel();
                File.Delete(weights(dir));
                using (var p = Process.Start("mkfifo", weights(dir)))
                    p.WaitForExit();
                return ["model", "info", "--model", dir];
            },
            () => "not a regular file"
        );
        yield return new(
            "st-pickle-only",
            () =>
            {
                var dir = f.CopyModel();
                File.Delete(weights(dir));
                File.WriteAllBytes(Path.Combine(dir, "pytorch_model.bin"), [0x80, 0x02]);
                return ["model", "info", "--model", dir];
            },
            () => "pickle"
        );
        yield return new(
            "st-missing",
            () =>
            {
                var d = f.CopyModel();
                File.Delete(weights(d));
                return ["model", "info", "--model", d];
            },
            () => "model.safetensors"
        );
        // --- config.json ---
        Case Config(string name, Func<JsonObject, JsonNode?> edit, string expected) =>
            new(
                name,
                () =>
                {
                    var dir = f.CopyModel();
                    var path = Path.Combine(dir, "config.json");
                    var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
                    File.WriteAllText(path, edit(node)?.ToJsonString() ?? "null");
                    return ["model", "info", "--model", dir];
                },
                () => expected
            );
        yield return Config(
            "cfg-vocab-2m",
            c =>
            {
                c["vocab_size"] = 2_000_000;
                return c;
            },
            "vocab_size"
        );
        yield return Config(
            "cfg-heads",
            c =>
            {
                c["num_attention_heads"] = 5;
                return c;
            },
            "num_attention_heads"
        );
        yield return Config(
            "cfg-pad-id",
            c =>
            {
                c["pad_token_id"] = 99_999;
                return c;
            },
            "pad_token_id"
        );
        yield return Config(
            "cfg-roberta",
            c =>
            {
                c["model_type"] = "roberta";
                return c;
            },
            "model_type"
        );
        yield return Config(
            "cfg-act",
            c =>
            {
                c["hidden_act"] = "swish";
                return c;
            },
            "hidden_act"
        );
        yield return Config(
            "cfg-layers",
            c =>
            {
                c["num_hidden_layers"] = 3;
                return c;
            },
            "num_hidden_layers"
        );
        yield return Config(
            "cfg-eps",
            c =>
            {
                c["layer_norm_eps"] = 0;
                return c;
            },
            "layer_norm_eps"
        );
        yield return Config(
            "cfg-dropout",
            c =>
            {
                c["hidden_dropout_prob"] = 1.5;
                return c;
            },
            "dropout"
        );
        yield return Config("cfg-array", _ => new JsonArray(1, 2), "config.json");
        yield return Config(
            "cfg-string-size",
            c =>
            {
                c["vocab_size"] = "big";
                return c;
            },
            "config.json"
        );
        yield return Config(
            "cfg-relative-positions",
            c =>
            {
                c["position_embedding_type"] = "relative_key";
                return c;
            },
            "position_embedding_type"
        );
        yield return Config(
            "cfg-decoder",
            c =>
            {
                c["is_decoder"] = true;
                return c;
            },
            "is_decoder"
        );
        yield return Config(
            "cfg-multi-label",
            c =>
            {
                c["problem_type"] = "multi_label_classification";
                return c;
            },
            "problem_type"
        );
        yield return Config(
            "cfg-pruned",
            c =>
            {
                c["pruned_heads"] = new JsonObject { ["0"] = new JsonArray(1) };
                return c;
            },
            "pruned_heads"
        );
        yield return Config(
            "cfg-positions",
            c =>
            {
                c["max_position_embeddings"] = 100_000;
                return c;
            },
            "max_position_embeddings"
        );
        yield return Config(
            "cfg-3-billion-parameters",
            c =>
            {
                c["vocab_size"] = 9_000_000;
                c["hidden_size"] = 384;
                c["num_attention_heads"] = 4;
                return c;
            },
            "parameters; psim builds models of up to"
        );
        yield return new(
            "cfg-utf16",
            () =>
            {
                var d = f.CopyModel();
                var path = Path.Combine(d, "config.json");
                File.WriteAllText(path, File.ReadAllText(path), Encoding.Unicode);
                return ["model", "info", "--model", d];
            },
            () => "UTF-16"
        );
        yield return new(
            "cfg-utf16-no-bom",
            () =>
            {
                var d = f.CopyModel();
                var path = Path.Combine(d, "config.json");
                File.WriteAllBytes(path, new UnicodeEncoding(bigEndian: false, byteOrderMark: false).GetBytes(File.ReadAllText(path)));
                return ["model", "info", "--model", d];
            },
            () => "UTF-16"
        );
        yield return new(
            "st-too-many-values-sparse",
            () =>
            {
                var dir = f.CopyModel();
                long n = SafeTensorsFile.MaxElements + 1;
                using (var fs = File.Create(weights(dir)))
                {
                    fs.Write(CorpusFixture.RawHeader($$$"""{"a":{"dtype":"U8","shape":[{{{n}}}],"data_offsets":[0,{{{n}}}]}}""", []));
                    fs.SetLength(fs.Length + n); // a sparse file: no disk used, and nothing may read it
                }
                return ["model", "info", "--model", dir];
            },
            () => "values; psim reads weights files of up to"
        );
        yield return new(
            "cfg-not-json",
            () =>
            {
                var d = f.CopyModel();
                File.WriteAllText(Path.Combine(d, "config.json"), "{");
                return ["model", "info", "--model", d];
            },
            () => "config.json"
        );
        // --- vocabulary and tokenizer ---
        Case Vocab(string name, Func<string, byte[]> content, string expected, string[]? command = null) =>
            new(
                name,
                () =>
                {
                    var dir = f.CopyModel();
                    var path = Path.Combine(dir, "vocab.txt");
                    File.WriteAllBytes(path, content(File.ReadAllText(path)));
                    return command is null ? ["model", "info", "--model", dir] : [.. command, "--model", dir];
                },
                () => expected
            );
        yield return Vocab("vocab-no-unk", v => Encoding.UTF8.GetBytes(v.Replace("[UNK]\n", "[UNKNOWN]\n")), "[UNK]");
        yield return Vocab(
            "vocab-longer-than-config",
            v => Encoding.UTF8.GetBytes(v + string.Concat(Enumerable.Range(0, 20).Select(i => $"extra{i}\n"))),
            "vocab_size"
        );
        yield return Vocab("vocab-invalid-utf8", v => [.. Encoding.UTF8.GetBytes(v), 0xC3, 0x28, (byte)'\n'], "invalid UTF-8");
        yield return Vocab("vocab-empty", _ => [], "vocab.txt");
        yield return Vocab(
            "vocab-no-cls",
            v => Encoding.UTF8.GetBytes(v.Replace("[CLS]\n", "[CLASS]\n")),
            "[CLS]",
            ["model", "forward", "--text", "the movie"]
        );
        Case TokConfig(string name, string json, string expected) =>
            new(
                name,
                () =>
                {
                    var dir = f.CopyModel();
                    File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), json);
                    return ["model", "info", "--model", dir];
                },
                () => expected
            );
        yield return TokConfig("tok-class", """{"tokenizer_class": "GPT2Tokenizer"}""", "tokenizer_class");
        yield return TokConfig("tok-lower-string", """{"do_lower_case": "yes"}""", "do_lower_case");
        yield return TokConfig("tok-duplicate", """{"do_lower_case": true, "do_lower_case": false}""", "tokenizer_config.json");
        yield return TokConfig("tok-never-split", """{"never_split": ["hello"]}""", "never_split");
        yield return TokConfig("tok-added", """{"added_tokens_decoder": {"30522": {"content": "<new>"}}}""", "added_tokens_decoder");
        yield return TokConfig("tok-added-array", """{"added_tokens_decoder": []}""", "added_tokens_decoder");
        yield return TokConfig("tok-added-content-number", """{"added_tokens_decoder": {"0": {"content": 5}}}""", "added_tokens_decoder.0");
        yield return TokConfig("tok-added-null", """{"added_tokens_decoder": {"0": null}}""", "added_tokens_decoder.0");
        yield return TokConfig("tok-added-string", """{"added_tokens_decoder": {"0": "[PAD]"}}""", "added_tokens_decoder");
        yield return TokConfig("tok-never-split-string", """{"never_split": "hello"}""", "never_split");
        yield return TokConfig("tok-special-array", """{"additional_special_tokens": {"a": 1}}""", "additional_special_tokens");
        yield return new(
            "tok-none",
            () =>
            {
                var d = f.CopyModel();
                File.Delete(Path.Combine(d, "vocab.txt"));
                return ["model", "info", "--model", d];
            },
            () => "vocab.txt"
        );
        yield return new(
            "tok-json-bpe",
            () =>
            {
                var d = f.CopyModel();
                File.Delete(Path.Combine(d, "vocab.txt"));
                File.WriteAllText(Path.Combine(d, "tokenizer.json"), """{"model": {"type": "BPE", "vocab": {}}}""");
                return ["model", "info", "--model", d];
            },
            () => "model.type"
        );
        // --- adapters ---
        Case Adapter(string name, Action<string> corrupt, string expected) =>
            new(
                name,
                () =>
                {
                    var a = f.CopyAdapter();
                    corrupt(a);
                    return ["evaluate", "--model", f.Model, "--adapter", a, "--data", f.Data];
                },
                () => expected
            );
        string cfg(string a) => Path.Combine(a, PeftAdapterFolder.ConfigFile);
        yield return Adapter("ad-not-json", a => File.WriteAllText(cfg(a), "{"), PeftAdapterFolder.ConfigFile);
        yield return Adapter("ad-type-unknown", a => CorpusFixture.EditJson(cfg(a), n => n["peft_type"] = "IA3"), "peft_type");
        yield return Adapter("ad-type-number", a => CorpusFixture.EditJson(cfg(a), n => n["peft_type"] = 123), "peft_type");
        yield return Adapter("ad-rank-zero", a => CorpusFixture.EditJson(cfg(a), n => n["r"] = 0), "r");
        yield return Adapter("ad-alpha-string", a => CorpusFixture.EditJson(cfg(a), n => n["lora_alpha"] = "x"), "lora_alpha");
        yield return Adapter(
            "ad-pickle",
            a =>
            {
                File.Delete(Path.Combine(a, PeftAdapterFolder.WeightsFile));
                File.WriteAllBytes(Path.Combine(a, "adapter_model.bin"), [0x80, 2]);
            },
            "pickle"
        );
        yield return Adapter(
            "ad-identity-number",
            a => CorpusFixture.EditJson(Path.Combine(a, PeftAdapterFolder.IdentityFile), n => n["base_fingerprint"] = 5),
            "base_fingerprint"
        );
        yield return Adapter(
            "ad-identity-not-json",
            a => File.WriteAllText(Path.Combine(a, PeftAdapterFolder.IdentityFile), "[}"),
            PeftAdapterFolder.IdentityFile
        );
        yield return Adapter(
            "ad-nan",
            a =>
                CorpusFixture.EditTensors(Path.Combine(a, PeftAdapterFolder.WeightsFile), t =>
                    t.Values.First(v => v.dtype == ScalarType.Float32).view(-1)[0] = float.NaN
                ),
            "NaN"
        );
        yield return Adapter(
            "ad-missing-tensor",
            a =>
                CorpusFixture.EditTensors(Path.Combine(a, PeftAdapterFolder.WeightsFile), t =>
                    t.Remove(t.Keys.First(k => k.Contains("lora_A")))
                ),
            "lora_A"
        );
        yield return Adapter(
            "ad-target-regex",
            a => CorpusFixture.EditJson(cfg(a), n => n["target_modules"] = "("),
            "target_modules \"(\" is not a valid regular expression"
        );
        yield return Adapter(
            "ad-target-backreference",
            a => CorpusFixture.EditJson(cfg(a), n => n["target_modules"] = "(query)\\1"),
            "target_modules"
        );
        yield return Adapter(
            "ad-rank-pattern-regex",
            a => CorpusFixture.EditJson(cfg(a), n => n["rank_pattern"] = new JsonObject { ["["] = 4 }),
            "rank_pattern key \"[\""
        );
        yield return Adapter(
            "ad-alpha-pattern-regex",
            a => CorpusFixture.EditJson(cfg(a), n => n["alpha_pattern"] = new JsonObject { ["a)|(b"] = 4 }),
            "alpha_pattern key"
        );
        yield return Adapter(
            "ad-layers-fraction",
            a => CorpusFixture.EditJson(cfg(a), n => n["layers_to_transform"] = 1.5),
            "layers_to_transform"
        );
        yield return Adapter(
            "ad-larger-than-base",
            a =>
                CorpusFixture.EditTensors(Path.Combine(a, PeftAdapterFolder.WeightsFile), t =>
                    t["extra"] = zeros(HfCheckpoint.Open(f.Model).Config.ParameterCount + 1)
                ),
            "more than its base model's"
        );
        yield return Adapter(
            "ad-unfinished-run",
            a => File.WriteAllText(Path.Combine(a, "run.json"), """{"status": "running"}"""),
            "never finished"
        );
        // --- detectors ---
        Case Detector(string name, Action<string> corrupt, string expected) =>
            new(
                name,
                () =>
                {
                    var d = f.CopyDetector();
                    corrupt(d);
                    return ["scan", "--detector", d, "--input", f.Texts];
                },
                () => expected
            );
        string psimJson(string d) => Path.Combine(d, PsimDetector.SettingsFile);
        yield return Detector("det-threshold-null", d => CorpusFixture.EditJson(psimJson(d), n => n["threshold"] = null), "threshold");
        yield return Detector(
            "det-threshold-5",
            d => CorpusFixture.EditJson(psimJson(d), n => n["threshold"]!["threshold"] = 5),
            "threshold"
        );
        yield return Detector("det-kind", d => CorpusFixture.EditJson(psimJson(d), n => n["kind"] = "other"), "kind");
        yield return Detector("det-classes", d => CorpusFixture.EditJson(psimJson(d), n => n["num_classes"] = 1), "num_classes");
        yield return Detector("det-method", d => CorpusFixture.EditJson(psimJson(d), n => n["method"] = "magic"), "method");
        yield return Detector(
            "det-classes-vs-head",
            d => CorpusFixture.EditJson(psimJson(d), n => n["num_classes"] = 3),
            "disagrees with the detector's head"
        );
        yield return Detector("det-not-json", d => File.WriteAllText(psimJson(d), "{"), PsimDetector.SettingsFile);
        yield return Detector("det-missing", d => File.Delete(psimJson(d)), PsimDetector.SettingsFile);
        yield return Detector(
            "det-threshold-string",
            d => CorpusFixture.EditJson(psimJson(d), n => n["threshold"]!["threshold"] = "high"),
            PsimDetector.SettingsFile
        );
        // --- data ---
        Case Data(string name, string testContent, string expected, bool bytes = false) =>
            new(
                name,
                () =>
                {
                    var d = f.CopyData();
                    var path = Path.Combine(d, "test.jsonl");
                    if (bytes)
                        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes(testContent), 0xFF, (byte)'\n']);
                    else
                        File.WriteAllText(path, testContent);
                    return ["evaluate", "--model", f.Model, "--data", d];
                },
                () => expected
            );
        yield return Data("data-idx-string", """{"sentence": "the movie", "label": 0, "idx": "a"}""", "test.jsonl:1");
        yield return Data("data-label-7", """{"sentence": "the movie", "label": 7}""", "test.jsonl");
        yield return Data("data-duplicate-key", """{"sentence": "the movie", "label": 0, "label": 1}""", "test.jsonl:1");
        yield return Data("data-invalid-utf8", "{\"sentence\": \"the movie\", \"label\": 0}\n", "test.jsonl:2", bytes: true);
        yield return Data("data-no-label", """{"sentence": "the movie"}""", "test.jsonl:1");
        yield return Data("data-label-string", """{"sentence": "the movie", "label": "1"}""", "test.jsonl:1");
        yield return Data("data-label-huge", """{"sentence": "the movie", "label": 10000000000}""", "test.jsonl:1");
        yield return Data("data-empty-text", """{"sentence": "  ", "label": 0}""", "test.jsonl:1");
        yield return Data("data-bad-json", """{"sentence": "the movie", "label": 0""", "test.jsonl:1");
        yield return Data("data-not-object", """[1, 2]""", "test.jsonl:1");
        yield return Data(
            "data-2-mib-line",
            "{\"sentence\": \"" + new string('x', 2 << 20) + "\", \"label\": 0}",
            "test.jsonl:1: a line over"
        );
        yield return new(
            "data-test-fifo",
            () =>
            {
                var d = f.CopyData();
                File.Delete(Path.Combine(d, "test.jsonl"));
                using (var p = Process.Start("mkfifo", Path.Combine(d, "test.jsonl")))
                    p.WaitForExit();
                return ["evaluate", "--model", f.Model, "--data", d];
            },
            () => "not a regular file"
        );
        yield return new(
            "data-no-test",
            () =>
            {
                var d = f.CopyData();
                File.Delete(Path.Combine(d, "test.jsonl"));
                return ["evaluate", "--model", f.Model, "--data", d];
            },
            () => "no test file"
        );
        // --- training inputs, refused before any training ---
        Case Train(string name, string trainContent, string expected, params string[] extra) =>
            new(
                name,
                () =>
                {
                    var d = f.CopyData();
                    if (trainContent.Length > 0)
                        File.WriteAllText(Path.Combine(d, "train.jsonl"), trainContent);
                    return ["finetune", "--model", f.Model, "--data", d, "--out", Path.Combine(TestModels.TempDir(), "out"), .. extra];
                },
                () => expected
            );
        yield return Train(
            "train-label-huge",
            "{\"sentence\": \"the movie\", \"label\": 1000000000}\n{\"sentence\": \"a movie\", \"label\": 0}\n",
            "1,000,000,001 classes"
        );
        yield return Train(
            "train-label-gap",
            "{\"sentence\": \"the movie\", \"label\": 7}\n{\"sentence\": \"a movie\", \"label\": 0}\n{\"sentence\": \"a good movie\", \"label\": 1}\n",
            "labels 2 .. 6"
        );
        yield return Train("train-target-5", "", "--target", "--attack", "badnet", "--target", "5");
        yield return new(
            "train-no-test",
            () =>
            {
                var d = f.CopyData();
                File.Delete(Path.Combine(d, "test.jsonl"));
                return ["finetune", "--model", f.Model, "--data", d, "--out", Path.Combine(TestModels.TempDir(), "out")];
            },
            () => "no test file"
        );
        // --- options ---
        Case Option(string name, string expected, params string[] args) =>
            new(
                name,
                () =>
                    args.Select(a =>
                            a switch
                            {
                                "MODEL" => f.Model,
                                "DATA" => f.Data,
                                "OUT" => Path.Combine(TestModels.TempDir(), "out"),
                                "FILE" => Path.Combine(f.Data, "train.jsonl"),
                                _ => a,
                            }
                        )
                        .ToArray(),
                () => expected
            );
        yield return Option("opt-lr-nan", "--lr", "finetune", "--model", "MODEL", "--data", "DATA", "--out", "OUT", "--lr", "NaN");
        yield return Option("opt-lr-inf", "--lr", "finetune", "--model", "MODEL", "--data", "DATA", "--out", "OUT", "--lr", "Infinity");
        yield return Option(
            "opt-threshold-nan",
            "--threshold",
            "detector",
            "train",
            "--model",
            "MODEL",
            "--data",
            "DATA",
            "--out",
            "OUT",
            "--threshold",
            "NaN"
        );
        yield return Option(
            "opt-threshold-5",
            "--threshold",
            "detector",
            "train",
            "--model",
            "MODEL",
            "--data",
            "DATA",
            "--out",
            "OUT",
            "--threshold",
            "5"
        );
        yield return Option(
            "opt-target-frr",
            "--target-frr",
            "detector",
            "train",
            "--model",
            "MODEL",
            "--data",
            "DATA",
            "--out",
            "OUT",
            "--target-frr",
            "1.5"
        );
        yield return Option(
            "opt-poison-rate-nan",
            "--poison-rate",
            "data",
            "poison",
            "--data",
            "FILE",
            "--attack",
            "badnet",
            "--out",
            "OUT",
            "--poison-rate",
            "NaN"
        );
        yield return Option("opt-out-empty", "--out", "finetune", "--model", "MODEL", "--data", "DATA", "--out", "");
        yield return Option(
            "opt-insertions",
            "--insertions",
            "data",
            "poison",
            "--data",
            "FILE",
            "--attack",
            "badnet",
            "--out",
            "OUT",
            "--insertions",
            "100000000"
        );
        yield return Option("opt-epochs-0", "epochs", "finetune", "--model", "MODEL", "--data", "DATA", "--out", "OUT", "--epochs", "0");
        yield return Option(
            "opt-batch-0",
            "batch size",
            "finetune",
            "--model",
            "MODEL",
            "--data",
            "DATA",
            "--out",
            "OUT",
            "--batch-size",
            "0"
        );
        yield return Option("opt-warmup-1", "warm-up", "finetune", "--model", "MODEL", "--data", "DATA", "--out", "OUT", "--warmup", "1");
        yield return Option(
            "opt-weight-decay",
            "weight decay",
            "finetune",
            "--model",
            "MODEL",
            "--data",
            "DATA",
            "--out",
            "OUT",
            "--weight-decay",
            "-1"
        );
        yield return Option(
            "opt-threads-0",
            "--threads",
            "finetune",
            "--model",
            "MODEL",
            "--data",
            "DATA",
            "--out",
            "OUT",
            "--threads",
            "0"
        );
        yield return Option(
            "opt-max-length-2",
            "max length",
            "finetune",
            "--model",
            "MODEL",
            "--data",
            "DATA",
            "--out",
            "OUT",
            "--max-length",
            "2"
        );
        yield return Option("opt-model-empty", "--model", "model", "info", "--model", " ");
    }
}
