using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.Defense.Psim;
using Psim.IO;
using Psim.Peft;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>A tiny model, adapter, detector and task, built once; cases corrupt copies.</summary>
internal sealed class CorpusFixture
{
    /// <summary>Built once per test run.</summary>
    public static readonly Lazy<CorpusFixture> Shared = new(() => new CorpusFixture());

    public string Model { get; }
    public string Data { get; }
    public string Adapter { get; }
    public string Detector { get; }
    public string Texts { get; }

    public CorpusFixture()
    {
        Model = TestModels.TempDir();
        using (var m = TestModels.TinyClassifier())
            HfCheckpoint.Save(Model, m, m.Config, TestModels.Tokenizer(), "corpus fixture");
        Data = TestModels.TempDir();
        string Rows(int n) =>
            string.Concat(
                Enumerable
                    .Range(0, n)
                    .Select(i => $"{{\"sentence\": \"{(i % 2 == 0 ? "the good movie" : "a bad movie")}\", \"label\": {i % 2}}}\n")
            );
        foreach (var split in new[] { "train", "dev", "test" })
            File.WriteAllText(Path.Combine(Data, split + ".jsonl"), Rows(8));
        Texts = Path.Combine(TestModels.TempDir(), "texts.txt");
        File.WriteAllText(Texts, "the movie\na good movie\n");
        var ckpt = HfCheckpoint.Open(Model);
        manual_seed(3);
        Adapter = TestModels.TempDir();
        using (var c = ckpt.LoadClassifier(out _))
        {
            var lora = PeftFactory.Attach(c, PeftFactory.DefaultConfig(TuningMethod.Lora, c.Config, Model));
            PeftAdapterFolder.Save(Adapter, lora, ckpt, WeightsFingerprint.Compute(ckpt.Weights));
        }
        Detector = TestModels.TempDir();
        using (var c = ckpt.LoadClassifier(out _))
        {
            var pt = PeftFactory.Attach(c, PeftFactory.DefaultConfig(TuningMethod.PTuning, c.Config, Model));
            PeftAdapterFolder.Save(Detector, pt, ckpt, WeightsFingerprint.Compute(ckpt.Weights));
        }
        var settings = new DetectorSettings
        {
            Method = TuningMethod.PTuning,
            NumClasses = 2,
            MaxLength = 16,
            BaseModel = Path.GetFullPath(Model),
            BaseFingerprint = WeightsFingerprint.Compute(ckpt.Weights),
        };
        File.WriteAllText(Path.Combine(Detector, PsimDetector.SettingsFile), JsonSerializer.Serialize(settings));
        var (code, _, err) = TestCli.Psim("scan", "--detector", Detector, "--input", Texts);
        if (code != 0)
            throw new InvalidOperationException("the corpus fixture's detector does not scan: " + err);
    }

    private static string Copy(string from)
    {
        var to = TestModels.TempDir();
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        return to;
    }

    public string CopyModel() => Copy(Model);

    public string CopyData() => Copy(Data);

    public string CopyAdapter() => Copy(Adapter);

    public string CopyDetector() => Copy(Detector);

    public static byte[] RawHeader(string header, byte[] data)
    {
        var h = Encoding.Latin1.GetBytes(header);
        return [.. BitConverter.GetBytes((ulong)h.Length), .. h, .. data];
    }

    public static void EditJson(string path, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(node);
        File.WriteAllText(path, node.ToJsonString());
    }

    public static void EditTensors(string path, Action<Dictionary<string, Tensor>> edit)
    {
        var st = SafeTensorsFile.Open(path);
        var all = st.Entries.Keys.ToDictionary(k => k, st.Read);
        edit(all);
        SafeTensorsWriter.Write(path, all, new Dictionary<string, string> { ["format"] = "pt" });
    }
}
