using System.Text.Json;
using System.Text.Json.Nodes;

namespace Psim.Files;

/// <summary>Strict JSON reading of untrusted files: valid UTF-8, no duplicate keys, errors that name the file and line.</summary>
public static class Json
{
    /// <summary>The options every untrusted JSON read uses: a key given twice is an error, not "the last one wins".</summary>
    public static readonly JsonDocumentOptions Options = new() { AllowDuplicateProperties = false };

    public static JsonNode? Parse(string path, string text, JsonDocumentOptions? options = null)
    {
        using var doc = ParseDocument(path, text, options);
        return doc.RootElement.ValueKind == JsonValueKind.Null ? null : JsonNode.Parse(text, documentOptions: options ?? Options);
    }

    /// <summary>A parsed document whose every string and key is well-formed UTF-16 (a lone surrogate written as \uD800 is refused here, not later as an internal error).</summary>
    public static JsonDocument ParseDocument(string path, string text, JsonDocumentOptions? options = null)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text, options ?? Options);
        }
        catch (JsonException e)
        {
            throw new PsimFormatException($"{path}:{(e.LineNumber ?? 0) + 1}: invalid JSON: {e.Message}");
        }
        try
        {
            RequireWellFormedStrings(doc.RootElement, path);
        }
        catch
        {
            doc.Dispose();
            throw;
        }
        return doc;
    }

    /// <summary>Refuses a document with a string or key that is not well-formed UTF-16 (see <see cref="ParseDocument"/>).</summary>
    public static void RequireWellFormedStrings(JsonElement e, string path) => RequireWellFormedStrings(e, path, "$");

    private static void RequireWellFormedStrings(JsonElement e, string path, string at)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                ReadString(e, path, at);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                    RequireWellFormedStrings(item, path, $"{at}[{i++}]");
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = p.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        throw Malformed(path, at + ".<key>");
                    }
                    RequireWellFormedStrings(p.Value, path, $"{at}.{name}");
                }
                break;
        }
    }

    private static void ReadString(JsonElement e, string path, string at)
    {
        try
        {
            _ = e.GetString();
        }
        catch (InvalidOperationException)
        {
            throw Malformed(path, at);
        }
    }

    private static PsimFormatException Malformed(string path, string at) =>
        new(
            $"{path}: {at}: a string escapes a lone or reversed UTF-16 surrogate (\\uD800-\\uDFFF not in a valid pair); psim reads only well-formed text"
        );

    public static JsonNode? Parse(string path) => Parse(path, StrictText.ReadAll(path));

    /// <summary>A config-sized JSON object file: regular, bounded, strict UTF-8, no duplicate keys, well-formed strings.</summary>
    public static JsonObject ParseObject(string path) =>
        Parse(path) as JsonObject ?? throw new PsimFormatException($"{path}: expected a JSON object");
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
        if (!Has(name))
            return null;
        return Value(name) is { } v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
            ? v.GetValue<bool>()
            : throw Wrong(name, "true or false");
    }

    public string? String(string name)
    {
        if (!Has(name))
            return null;
        return Value(name) is { } v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Wrong(name, "a string");
    }

    /// <summary>A number; a whole number written as a float (16.0) is accepted, as Python accepts it.</summary>
    public double? Number(string name)
    {
        if (!Has(name))
            return null;
        if (Value(name) is { } v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && double.IsFinite(d))
            return d;
        throw Wrong(name, "a finite number");
    }

    /// <summary>An integer; 16.0 is 16, 16.5 is refused.</summary>
    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        if (Number(name) is not double d)
            return null;
        if (d != Math.Floor(d) || d < min || d > max)
            throw Wrong(name, $"a whole number in [{min}, {max}]");
        return (int)d;
    }

    /// <summary>A JSON object field (null when absent or null).</summary>
    public JsonObject? Object(string name) => !Has(name) ? null : node[name] as JsonObject ?? throw Wrong(name, "an object");

    /// <summary>A JSON array field (null when absent or null).</summary>
    public JsonArray? Array(string name) => !Has(name) ? null : node[name] as JsonArray ?? throw Wrong(name, "an array");

    /// <summary>A special token: a string, or transformers' AddedToken object with "content".</summary>
    public string? Token(string name)
    {
        if (!Has(name))
            return null;
        if (node[name] is JsonObject o && o["content"] is JsonValue c && c.GetValueKind() == JsonValueKind.String)
            return c.GetValue<string>();
        return String(name);
    }
}
