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
    /// <summary>peft's type name (LORA, P_TUNING, ...); written as "peft_type".</summary>
    [JsonPropertyName("peft_type")]
    public string PeftType => TypeName;

    [JsonPropertyName("task_type")]
    public string TaskType { get; init; } = "SEQ_CLS";

    [JsonPropertyName("base_model_name_or_path")]
    public string? BaseModelNameOrPath { get; init; }

    [JsonPropertyName("inference_mode")]
    public bool InferenceMode { get; init; } = true;

    [JsonPropertyName("revision")]
    public string? Revision { get; init; }

    [JsonPropertyName("auto_mapping")]
    public JsonElement? AutoMapping { get; init; }

    /// <summary>psim's name of the method (lora, prompt, ptuning, prefix, adapter); never written.</summary>
    [JsonIgnore]
    public string Method => MethodName;

    protected abstract string TypeName { get; }
    protected abstract string MethodName { get; }

    /// <summary>Fields of a file read from disk that this record does not model; checked by <see cref="Validate"/>, never written.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }

    /// <summary>
    /// Fields peft writes that do not change what a loaded adapter computes (bookkeeping, or settings that
    /// only matter when a new adapter is initialised for training). Any other unmodelled field is refused
    /// unless it holds its "off" value (null, false, empty), since psim cannot know that it changes nothing.
    /// </summary>
    protected virtual IReadOnlyCollection<string> NeutralFields =>
        [
            "peft_version",
            "runtime_config",
            "tokenizer_kwargs",
            "megatron_core",
            "eva_config",
            "corda_config",
            "qalora_group_size",
            "ensure_weight_tying",
        ];

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The adapter_config.json text: the fields peft writes for this type, and nothing psim-specific.</summary>
    public string ToJson() => JsonSerializer.Serialize(this with { Unmodelled = null }, GetType(), Json);

    public static PeftConfig Parse(string json, string source)
    {
        if (Files.Json.Parse(source, json) is not JsonObject obj)
            throw new PsimFormatException($"{source}: expected a JSON object");
        var type = new Files.JsonFields(obj, source).String("peft_type") ?? throw new PsimFormatException($"{source}: no peft_type");
        Type t = type switch
        {
            "LORA" => typeof(Lora.LoraConfig),
            "PROMPT_TUNING" => typeof(PromptTuning.PromptTuningConfig),
            "P_TUNING" => typeof(PTuning.PTuningConfig),
            "PREFIX_TUNING" => typeof(PrefixTuning.PrefixTuningConfig),
            "BOTTLENECK" => typeof(Adapters.BottleneckConfig),
            _ => throw new PsimFormatException(
                $"{source}: peft_type '{type}' is not supported (LORA, PROMPT_TUNING, P_TUNING, PREFIX_TUNING, BOTTLENECK)"
            ),
        };
        obj.Remove("peft_type");
        WholeNumbersAsIntegers(obj);
        PeftConfig c;
        try
        {
            c = (PeftConfig?)obj.Deserialize(t, Json) ?? throw new PsimFormatException($"{source}: empty config");
        }
        catch (JsonException e)
        {
            throw new PsimFormatException($"{source}: field {e.Path?.TrimStart('$', '.')}: {e.Message}");
        }
        c.Validate(source);
        return c;
    }

    /// <summary>Python writes 16.0 for a float that is whole; where psim keeps an integer, 16.0 reads as 16 (16.5 stays and is refused).</summary>
    private static void WholeNumbersAsIntegers(JsonObject obj)
    {
        foreach (var (name, value) in obj.ToList())
            if (
                value is JsonValue v
                && v.GetValueKind() == JsonValueKind.Number
                && v.TryGetValue(out double d)
                && double.IsFinite(d)
                && d == Math.Floor(d)
                && Math.Abs(d) < 1e15
                && v.ToJsonString().Contains('.')
            )
                obj[name] = (long)d;
    }

    /// <summary>Checks every field: values in range, and no unmodelled field that could change the numbers.</summary>
    public virtual void Validate(string source)
    {
        Need(TaskType is "SEQ_CLS", source, $"task_type '{TaskType}' is not supported: psim adapts sequence classifiers (SEQ_CLS)");
        foreach (var (name, value) in Unmodelled ?? [])
        {
            if (NeutralFields.Contains(name) || IsOff(value))
                continue;
            if (
                name == "modules_to_save"
                && value.ValueKind == JsonValueKind.Array
                && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String && IsHeadModule(e.GetString()!))
            )
                continue;
            throw new PsimFormatException(
                $"{source}: field \"{name}\" = {Shorten(value.GetRawText())} is not supported by psim for {PeftType}; it may change what the adapter computes, so the adapter is refused rather than loaded without it"
            );
        }
    }

    /// <summary>null, false, "", [], {} (and "none"): a field that is off.</summary>
    protected static bool IsOff(JsonElement v) =>
        v.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.False => true,
            JsonValueKind.String => v.GetString() is "" or "none",
            JsonValueKind.Array => v.GetArrayLength() == 0,
            JsonValueKind.Object => !v.EnumerateObject().Any(),
            _ => false,
        };

    /// <summary>
    /// peft's <c>PeftModelForSequenceClassification</c> adds its <c>classifier_module_names</c>, "classifier" and
    /// "score", to every adapter's modules_to_save (written into adapter_config.json by LoRA since peft 0.11 and by
    /// the prompt-learning methods since 0.17), because it does not know the architecture. peft wraps a module when
    /// its name ends with an entry: in a BERT classifier "classifier" is the head, which every psim adapter saves
    /// anyway, and "score" matches no module, so peft itself wraps nothing for it. Any other entry names a module
    /// psim would not save and is refused.
    /// </summary>
    public static readonly IReadOnlyList<string> HeadModuleNames = ["classifier", "score"];

    /// <summary>Whether a modules_to_save entry is one of peft's own head names (see <see cref="HeadModuleNames"/>).</summary>
    public static bool IsHeadModule(string name) => HeadModuleNames.Contains(name);

    /// <summary>The modules_to_save check of the configs that model the field.</summary>
    protected static void NeedHeadModulesOnly(IReadOnlyList<string>? modules, string source) =>
        Need(
            modules is null || modules.All(IsHeadModule),
            source,
            $"modules_to_save [{string.Join(", ", modules ?? [])}] is not supported: psim saves the classification head only (peft's own \"classifier\" and \"score\")"
        );

    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";

    protected static void Need(bool ok, string source, string what)
    {
        if (!ok)
            throw new PsimFormatException($"{source}: {what}");
    }
}

/// <summary>Fields shared by the prompt-learning configs (prompt tuning, P-tuning, prefix tuning).</summary>
public abstract record PromptLearningConfig : PeftConfig
{
    [JsonPropertyName("num_virtual_tokens")]
    public int NumVirtualTokens { get; init; } = 5;

    [JsonPropertyName("token_dim")]
    public int TokenDim { get; init; }

    [JsonPropertyName("num_transformer_submodules")]
    public int NumTransformerSubmodules { get; init; } = 1;

    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; }

    [JsonPropertyName("num_layers")]
    public int NumLayers { get; init; }

    public override void Validate(string source)
    {
        base.Validate(source);
        Need(NumVirtualTokens is > 0 and <= 512, source, $"num_virtual_tokens {NumVirtualTokens} is out of range");
        Need(
            TokenDim > 0 && NumAttentionHeads > 0 && NumLayers > 0,
            source,
            "token_dim, num_attention_heads and num_layers must be positive"
        );
        Need(NumTransformerSubmodules == 1, source, "num_transformer_submodules must be 1 for an encoder");
    }
}
