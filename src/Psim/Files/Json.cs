using System.Text.Json;
using System.Text.Json.Nodes;

namespace Psim.Files;

/// <summary>Strict JSON reading of untrusted files: valid UTF-8, no duplicate keys, errors that name the file and line.</summary>
public static class Json
{
    /// <summary>The options every untrusted JSON read uses: a key given twice is an error, not "the last one wins".</summary>
    public static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static JsonNode? Parse(string path, string text)
    {
        try { return JsonNode.Parse(text, documentOptions: Options); }
        catch (JsonException e) { throw new PsimFormatException($"{path}:{(e.LineNumber ?? 0) + 1}: invalid JSON: {e.Message}"); }
    }

    public static JsonNode? Parse(string path) => Parse(path, StrictText.ReadAll(path));

    public static JsonObject ParseObject(string path) => Parse(path) as JsonObject
        ?? throw new PsimFormatException($"{path}: expected a JSON object");
}

/// <summary>Typed reads of a JSON object's fields; a field of the wrong type is an error naming the file, field and value.</summary>
public readonly struct JsonFields(JsonObject node, string source)
{
    private PsimFormatException Wrong(string name, string expected) =>
        new($"{source}: field \"{name}\" is {node[name]?.ToJsonString() ?? "null"}; expected {expected}");

    private JsonValue? Value(string name) => node[name] as JsonValue;

    public bool Has(string name) => node.ContainsKey(name) && node[name] is not null;

    public bool? Bool(string name)
    {
        if (!Has(name)) return null;
        return Value(name) is { } v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? v.GetValue<bool>() : throw Wrong(name, "true or false");
    }

    public string? String(string name)
    {
        if (!Has(name)) return null;
        return Value(name) is { } v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Wrong(name, "a string");
    }

    /// <summary>A number; a whole number written as a float (16.0) is accepted, as Python accepts it.</summary>
    public double? Number(string name)
    {
        if (!Has(name)) return null;
        if (Value(name) is { } v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && double.IsFinite(d)) return d;
        throw Wrong(name, "a finite number");
    }

    /// <summary>An integer; 16.0 is 16, 16.5 is refused.</summary>
    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        if (Number(name) is not double d) return null;
        if (d != Math.Floor(d) || d < min || d > max) throw Wrong(name, $"a whole number in [{min}, {max}]");
        return (int)d;
    }

    /// <summary>A special token: a string, or transformers' AddedToken object with "content".</summary>
    public string? Token(string name)
    {
        if (!Has(name)) return null;
        if (node[name] is JsonObject o && o["content"] is JsonValue c && c.GetValueKind() == JsonValueKind.String) return c.GetValue<string>();
        return String(name);
    }
}
