using System.Text.Json;
using System.Text.Json.Serialization;
using Psim.Workflows;

namespace Psim.Serving;

/// <summary>A refused request: the HTTP status, a stable code a client can branch on, and what was wrong.</summary>
public sealed record ApiError(
    [property: JsonIgnore] int Status,
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message
);

/// <summary>
/// One text's answer: rejected (no label), or the victim's label and probabilities; with PSIM's confidence, the fused
/// guard's score (null when PSIM guards alone) and the threshold the deciding score was compared to.
/// </summary>
public sealed record ClassifyResult(
    [property: JsonPropertyName("rejected")] bool Rejected,
    [property: JsonPropertyName("label")] int? Label,
    [property: JsonPropertyName("probabilities")] IReadOnlyList<float>? Probabilities,
    [property: JsonPropertyName("psim_confidence")] double PsimConfidence,
    [property: JsonPropertyName("guard_score")] double? GuardScore,
    [property: JsonPropertyName("threshold")] double Threshold
)
{
    public static ClassifyResult From(GuardedPrediction p) =>
        new(p.Rejected, p.Label, p.Probabilities, p.DetectorConfidence, p.GuardScore, p.Threshold);
}

/// <summary><c>POST /v1/classify</c>: the body <c>{"texts": ["...", ...]}</c>, read strictly, and the answer.</summary>
public static class ClassifyApi
{
    public const string TextsField = "texts";

    public static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The texts of a request body, or why it is refused (400 with a code; nothing of a bad request is classified).</summary>
    public static (IReadOnlyList<string>? Texts, ApiError? Error) Parse(ReadOnlyMemory<byte> body, ServeOptions o)
    {
        if (body.Span.StartsWith("\uFEFF"u8))
            body = body[3..];
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            return Bad("malformed_json", $"the body is not valid JSON: {e.Message}");
        }
        using (doc)
        {
            try
            {
                Files.Json.RequireWellFormedStrings(doc.RootElement, "the body");
            }
            catch (PsimFormatException e)
            {
                return Bad("malformed_json", e.Message);
            }
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Bad("invalid_request", $"the body must be a JSON object {{\"texts\": [...]}}, not {Kind(root)}");
            foreach (var p in root.EnumerateObject())
                if (p.Name != TextsField)
                    return Bad("unknown_field", $"unknown field \"{p.Name}\": the body has only \"texts\"");
            if (!root.TryGetProperty(TextsField, out var texts))
                return Bad("invalid_request", "the body has no \"texts\" field");
            if (texts.ValueKind != JsonValueKind.Array)
                return Bad("invalid_request", $"\"texts\" must be an array of strings, not {Kind(texts)}");
            int n = texts.GetArrayLength();
            if (n == 0)
                return Bad("invalid_request", "\"texts\" is empty");
            if (n > o.MaxTexts)
                return Bad("too_many_texts", $"\"texts\" has {n} items; one request may carry at most {o.MaxTexts}");
            var list = new List<string>(n);
            int i = 0;
            foreach (var t in texts.EnumerateArray())
            {
                if (t.ValueKind != JsonValueKind.String)
                    return Bad("invalid_request", $"texts[{i}] must be a string, not {Kind(t)}");
                var s = t.GetString()!;
                if (s.Trim().Length == 0)
                    return Bad("empty_text", $"texts[{i}] is empty");
                if (s.Length > o.MaxTextChars)
                    return Bad("text_too_long", $"texts[{i}] has {s.Length} characters; the limit is {o.MaxTextChars}");
                list.Add(s);
                i++;
            }
            return (list, null);
        }
    }

    private static (IReadOnlyList<string>?, ApiError?) Bad(string code, string message) => (null, new ApiError(400, code, message));

    private static string Kind(JsonElement e) =>
        e.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
}
