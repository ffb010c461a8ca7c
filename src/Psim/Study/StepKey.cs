using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.IO;
using Psim.Runtime;

namespace Psim.Study;

/// <summary>
/// A step's cache key, derived from its request: the request as JSON without its output folder, every
/// path replaced by what identifies its content (a data folder by its files' hashes, the base model by
/// its weights' fingerprint, an upstream step's folder by that step's key), with the step's kind and
/// code version. No input can be left out, and a path left without an identity is refused: a key
/// must change with the content of the files a step reads, never with where they are.
/// </summary>
public sealed class StepKey
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Converters = { new VocabularyJsonConverter() },
    };

    private readonly Dictionary<string, string> _identities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _fileHashes = new(StringComparer.Ordinal);

    /// <summary>Identifies a data folder by its files' content (README files aside); returns the full path requests should name.</summary>
    public string Data(string dir)
    {
        var full = Path.GetFullPath(dir);
        if (_identities.ContainsKey(full))
            return full;
        if (!Directory.Exists(full))
            throw new PsimException($"{dir}: data folder not found");
        var files = Directory
            .EnumerateFiles(full)
            .Where(f => !f.EndsWith(".md", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetFileName(f)}:{HashFile(f)}");
        _identities[full] = "data " + Hash(string.Join('\n', files));
        return full;
    }

    /// <summary>Identifies a model ('minilm' or a folder) by its weights; returns the name requests should use.</summary>
    public string Model(string model, Action<string>? log)
    {
        string name = string.Equals(model, MiniLmDefault.Name, StringComparison.OrdinalIgnoreCase) ? model : Path.GetFullPath(model);
        if (!_identities.ContainsKey(name))
            _identities[name] = "model " + WeightsFingerprint.Compute(ModelResolver.Open(model, log).Weights);
        return name;
    }

    /// <summary>Identifies an upstream step's output folder by that step's key.</summary>
    public void Step(string dir, string key) => _identities[dir] = "step " + key;

    /// <summary>The key of a step and the inputs it was derived from (saved in step.json).</summary>
    public (string Key, JsonObject Inputs) Derive(StepKind kind, int code, object request)
    {
        var node = JsonSerializer.SerializeToNode(request, request.GetType(), Json)!.AsObject();
        node.Remove("out_dir");
        var inputs = new JsonObject
        {
            ["kind"] = Vocabulary<StepKind>.Name(kind),
            ["code"] = code,
            ["request"] = Substitute(node, "request"),
        };
        return (Hash(inputs.ToJsonString())[..16], inputs);
    }

    private JsonNode? Substitute(JsonNode? node, string at) =>
        node switch
        {
            JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Substitute(kv.Value, $"{at}.{kv.Key}")))),
            JsonArray a => new JsonArray(a.Select((v, i) => Substitute(v, $"{at}[{i}]")).ToArray()),
            JsonValue v when v.TryGetValue<string>(out var s) => _identities.TryGetValue(s, out var id) ? JsonValue.Create(id)
            : Path.IsPathRooted(s) ? throw new InvalidOperationException($"{at}: the path {s} has no content identity in the step key")
            : v.DeepClone(),
            _ => node?.DeepClone(),
        };

    private string HashFile(string path) => _fileHashes.TryGetValue(path, out var h) ? h : _fileHashes[path] = RunFile.HashFile(path);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
