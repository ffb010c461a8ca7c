using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Psim.Peft;

/// <summary>
/// Fields every peft <c>adapter_config.json</c> has. Each method's config adds its own, with peft's
/// names, so Hugging Face peft reads the file (the bottleneck adapter is psim's own type).
/// </summary>
public abstract record PeftConfig
{
    [JsonPropertyName("peft_type")] public abstract string PeftType { get; }
    [JsonPropertyName("task_type")] public string TaskType { get; init; } = "SEQ_CLS";
    [JsonPropertyName("base_model_name_or_path")] public string? BaseModelNameOrPath { get; init; }
    [JsonPropertyName("inference_mode")] public bool InferenceMode { get; init; } = true;
    [JsonPropertyName("revision")] public string? Revision { get; init; }

    /// <summary>psim's name of the method (lora, prompt, ptuning, prefix, adapter).</summary>
    [JsonIgnore] public abstract string Method { get; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, GetType(), Json);

    public static PeftConfig Parse(string json, string source)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException e) { throw new PsimFormatException($"{source}: invalid JSON: {e.Message}"); }
        if (node is not JsonObject obj) throw new PsimFormatException($"{source}: expected a JSON object");
        var type = new IO.JsonFields(obj, source).String("peft_type") ?? throw new PsimFormatException($"{source}: no peft_type");
        Type t = type switch
        {
            "LORA" => typeof(Lora.LoraConfig),
            "PROMPT_TUNING" => typeof(PromptTuning.PromptTuningConfig),
            "P_TUNING" => typeof(PTuning.PTuningConfig),
            "PREFIX_TUNING" => typeof(PrefixTuning.PrefixTuningConfig),
            "BOTTLENECK" => typeof(Adapters.BottleneckConfig),
            _ => throw new PsimFormatException($"{source}: peft_type '{type}' is not supported (LORA, PROMPT_TUNING, P_TUNING, PREFIX_TUNING, BOTTLENECK)"),
        };
        try
        {
            var c = (PeftConfig?)node.Deserialize(t, Json) ?? throw new PsimFormatException($"{source}: empty config");
            c.Validate(source);
            return c;
        }
        catch (JsonException e) { throw new PsimFormatException($"{source}: {e.Message}"); }
    }

    public abstract void Validate(string source);

    protected static void Need(bool ok, string source, string what)
    {
        if (!ok) throw new PsimFormatException($"{source}: {what}");
    }
}

/// <summary>Fields shared by the prompt-learning configs (prompt tuning, P-tuning, prefix tuning).</summary>
public abstract record PromptLearningConfig : PeftConfig
{
    [JsonPropertyName("num_virtual_tokens")] public int NumVirtualTokens { get; init; } = 5;
    [JsonPropertyName("token_dim")] public int TokenDim { get; init; }
    [JsonPropertyName("num_transformer_submodules")] public int NumTransformerSubmodules { get; init; } = 1;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; }
    [JsonPropertyName("num_layers")] public int NumLayers { get; init; }

    public override void Validate(string source)
    {
        Need(NumVirtualTokens is > 0 and <= 512, source, $"num_virtual_tokens {NumVirtualTokens} is out of range");
        Need(TokenDim > 0 && NumAttentionHeads > 0 && NumLayers > 0, source, "token_dim, num_attention_heads and num_layers must be positive");
        Need(NumTransformerSubmodules == 1, source, "num_transformer_submodules must be 1 for an encoder");
    }
}
