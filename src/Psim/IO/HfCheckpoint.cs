using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.Data;
using Psim.Files;
using Psim.Models;
using Psim.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.IO;

/// <summary>
/// A Hugging Face model folder: <c>config.json</c>, <c>model.safetensors</c>, <c>vocab.txt</c>
/// (and <c>tokenizer_config.json</c>). Reads only safetensors; refuses pickle checkpoints.
/// </summary>
public sealed class HfCheckpoint
{
    public const string ConfigFile = "config.json",
        WeightsFile = "model.safetensors",
        VocabFile = "vocab.txt",
        TokenizerConfigFile = "tokenizer_config.json",
        OriginFile = "psim_origin.json",
        ShardIndexFile = "model.safetensors.index.json";

    public string Directory { get; }
    public BertConfig Config { get; }
    public SafeTensorsFile Weights { get; }

    /// <summary>The folder's tokenizer (vocab.txt and tokenizer_config.json, or tokenizer.json).</summary>
    public BertTokenizer Tokenizer { get; }

    /// <summary>Where the weights came from, as recorded when psim wrote the folder (or "unknown").</summary>
    public string Origin { get; }

    private HfCheckpoint(string dir, BertConfig config, SafeTensorsFile weights, BertTokenizer tokenizer, string origin)
    {
        Directory = dir;
        Config = config;
        Weights = weights;
        Tokenizer = tokenizer;
        Origin = origin;
    }

    /// <summary>Opens a folder: validates config and the safetensors header; reads no tensor data yet.</summary>
    public static HfCheckpoint Open(string dir)
    {
        if (File.Exists(dir))
        {
            if (PickleGuard.IsPickleName(dir))
                throw PickleGuard.Refusal(dir);
            throw new PsimException($"{dir} is a file; give the model folder (config.json, model.safetensors, vocab.txt)");
        }
        if (!System.IO.Directory.Exists(dir))
            throw new PsimException($"{dir}: model folder not found");
        RunFile.RequireFinished(dir);
        var weights = Path.Combine(dir, WeightsFile);
        var index = Path.Combine(dir, ShardIndexFile);
        if (!File.Exists(weights) && !File.Exists(index))
        {
            var pickle = System.IO.Directory.EnumerateFiles(dir).FirstOrDefault(PickleGuard.IsPickleName);
            if (pickle is not null)
                throw PickleGuard.Refusal(pickle);
            throw new PsimException($"{dir}: no {WeightsFile} (or {ShardIndexFile}) in the folder");
        }
        var configPath = Path.Combine(dir, ConfigFile);
        if (!File.Exists(configPath))
            throw new PsimException($"{dir}: no {ConfigFile} in the folder");
        BertConfig config;
        using (var doc = Json.ParseDocument(configPath, StrictText.ReadAll(configPath)))
            config = BertConfig.FromJson(doc.RootElement, configPath);
        var tokenizer = TokenizerFolder.Load(dir);
        if (tokenizer.Vocab.Count > config.VocabSize)
            throw new PsimFormatException(
                $"{tokenizer.Vocab.Source}: {tokenizer.Vocab.Count:N0} tokens, but {configPath} has vocab_size {config.VocabSize:N0}: ids past the embedding table would index out of range"
            );
        var st = File.Exists(weights) ? SafeTensorsFile.Open(weights) : SafeTensorsFile.OpenSharded(index);
        ConfigHeaderCheck.Check(config, configPath, st);
        return new HfCheckpoint(dir, config, st, tokenizer, ReadOrigin(dir));
    }

    private static string ReadOrigin(string dir)
    {
        var path = Path.Combine(dir, OriginFile);
        if (!File.Exists(path))
            return "unknown (no " + OriginFile + ")";
        if (Json.Parse(path) is not JsonObject o)
            throw new PsimFormatException($"{path}: expected a JSON object with \"origin\"");
        return new JsonFields(o, path).String("origin") ?? "unknown";
    }

    /// <summary>True when the file carries a classification head (<c>classifier.*</c>).</summary>
    public bool HasClassifierHead => Weights.Entries.Keys.Any(k => k.StartsWith("classifier.", StringComparison.Ordinal));

    public TextEncoder CreateTextEncoder(int maxLength) => new(Tokenizer, Math.Min(maxLength, Config.MaxPositionEmbeddings));

    /// <summary>Builds an encoder and loads it strictly (a head in the file is ignored).</summary>
    public BertModel LoadEncoder(out LoadReport report)
    {
        var model = new BertModel(Config);
        var headKeys = Weights.Entries.Keys.Where(k => k.StartsWith("classifier.", StringComparison.Ordinal)).ToList();
        report = LoadWithout(model, headKeys, ["pooler."]);
        return model;
    }

    /// <summary>
    /// Builds a sequence classifier and loads it strictly. A file without a head (a plain encoder) gets a
    /// new head with <paramref name="numLabels"/> classes; so does a file whose head has another number of
    /// classes (as transformers' <c>ignore_mismatched_sizes</c>): <see cref="LoadReport.ReplacedHeadClasses"/>
    /// says so. New heads are initialised from the current seed.
    /// </summary>
    public BertForSequenceClassification LoadClassifier(out LoadReport report, int? numLabels = null)
    {
        var config = Config;
        bool replace = HasClassifierHead && numLabels is int n && n != config.NumLabels;
        if (!HasClassifierHead || replace)
            config = config.WithNumLabels(numLabels ?? config.NumLabels);
        var model = new BertForSequenceClassification(config);
        BertInit.Apply(model, config.InitializerRange);
        report = StateDictLoader.Load(model, Weights, ["classifier.", "bert.pooler."], skipFileKeys: replace ? ["classifier."] : null);
        if (replace)
            report = report with { ReplacedHeadClasses = Config.NumLabels };
        return model;
    }

    private LoadReport LoadWithout(nn.Module model, IReadOnlyList<string> dropFileKeys, IReadOnlyCollection<string> allowNew)
    {
        BertInit.Apply(model, Config.InitializerRange);
        var r = StateDictLoader.Load(model, Weights, allowNew, strict: false);
        var unexpected = r.Unexpected.Where(k => !dropFileKeys.Contains(k)).ToList();
        var result = r with { Unexpected = unexpected, Ignored = r.Ignored.Concat(dropFileKeys).ToList() };
        if (!result.IsClean)
            throw new PsimFormatException($"{Weights.Path}: the weights do not fit this model: {result.Describe()}");
        return result;
    }

    /// <summary>
    /// Writes a Hugging Face folder for a <see cref="BertModel"/> or <see cref="BertForSequenceClassification"/>.
    /// Each file is written atomically.
    /// </summary>
    public static void Save(string dir, nn.Module model, BertConfig config, BertTokenizer tokenizer, string origin)
    {
        System.IO.Directory.CreateDirectory(dir);
        string arch = model is BertForSequenceClassification ? "BertForSequenceClassification" : "BertModel";
        var cfg = config with { Architectures = [arch], ModelType = "bert" };
        var sd = model.state_dict();
        SafeTensorsWriter.RequireFinite(Path.Combine(dir, WeightsFile), sd);
        SafeTensorsWriter.Write(Path.Combine(dir, WeightsFile), sd, new Dictionary<string, string> { ["format"] = "pt" });
        AtomicFile.WriteAllText(Path.Combine(dir, ConfigFile), cfg.ToJson());
        TokenizerFolder.Save(dir, tokenizer, config.MaxPositionEmbeddings);
        var originJson = new JsonObject
        {
            ["origin"] = origin,
            ["written_by"] = "psim " + Runtime.PsimVersion.Psim,
            ["written_at"] = DateTime.UtcNow.ToString("o"),
        };
        AtomicFile.WriteAllText(Path.Combine(dir, OriginFile), originJson.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
