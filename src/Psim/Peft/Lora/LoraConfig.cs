using System.Text.Json;
using System.Text.Json.Serialization;

namespace Psim.Peft.Lora;

/// <summary>
/// peft's LoraConfig (reference: r 8, alpha 16, dropout 0.1, on query and value), with the fields peft
/// writes. Honoured: rsLoRA scaling, per-module rank and alpha patterns, target modules as names
/// (matched as peft does, by suffix, incl. <c>dense</c> and the pooler) or a regex, layers_to_transform.
/// Refused by name: DoRA, LoRA biases, layer replication, LoftQ/PiSSA-style initialisations that change the base weights.
/// </summary>
public sealed record LoraConfig : PeftConfig
{
    protected override string TypeName => "LORA";
    protected override string MethodName => "lora";

    [JsonPropertyName("r")]
    public int R { get; init; } = 8;

    /// <summary>A float in peft; 16 and 16.0 both read.</summary>
    [JsonPropertyName("lora_alpha")]
    public double LoraAlpha { get; init; } = 16;

    [JsonPropertyName("lora_dropout")]
    public double LoraDropout { get; init; } = 0.1;

    [JsonPropertyName("target_modules")]
    public TargetModules TargetModules { get; init; } = new(["query", "value"]);

    [JsonPropertyName("bias")]
    public string Bias { get; init; } = "none";

    [JsonPropertyName("fan_in_fan_out")]
    public bool FanInFanOut { get; init; }

    [JsonPropertyName("modules_to_save")]
    public List<string>? ModulesToSave { get; init; } = ["classifier"];

    /// <summary>rsLoRA: scaling alpha / √r instead of alpha / r.</summary>
    [JsonPropertyName("use_rslora")]
    public bool UseRslora { get; init; }

    /// <summary>Module-name pattern → rank, matched as peft's get_pattern_key; the first matching pattern wins.</summary>
    [JsonPropertyName("rank_pattern")]
    public Dictionary<string, int> RankPattern { get; init; } = [];

    [JsonPropertyName("alpha_pattern")]
    public Dictionary<string, double> AlphaPattern { get; init; } = [];

    [JsonPropertyName("layers_to_transform")]
    public LayerList? LayersToTransform { get; init; }

    [JsonPropertyName("layers_pattern")]
    public JsonElement? LayersPattern { get; init; }

    [JsonPropertyName("init_lora_weights")]
    public JsonElement InitLoraWeights { get; init; } = JsonSerializer.SerializeToElement(true);

    [JsonPropertyName("use_dora")]
    public bool UseDora { get; init; }

    [JsonPropertyName("layer_replication")]
    public JsonElement? LayerReplication { get; init; }

    [JsonPropertyName("loftq_config")]
    public Dictionary<string, JsonElement> LoftqConfig { get; init; } = [];

    [JsonPropertyName("megatron_config")]
    public JsonElement? MegatronConfig { get; init; }

    [JsonPropertyName("megatron_core")]
    public string? MegatronCore { get; init; } = "megatron.core";

    /// <summary>A pattern → value table (rank_pattern, alpha_pattern) compiled, in the file's order: the first match wins.</summary>
    public static IReadOnlyList<(ModulePattern Pattern, T Value)> Patterns<T>(Dictionary<string, T> table, string source, string field) =>
        table.Select(kv => (ModulePattern.Suffix(kv.Key, source, $"{field} key"), kv.Value)).ToList();

    /// <summary>The scaling of a module with this rank and alpha: alpha / r, or alpha / √r with rsLoRA.</summary>
    public double Scaling(int r, double alpha) => UseRslora ? alpha / Math.Sqrt(r) : alpha / r;

    public override void Validate(string source)
    {
        base.Validate(source);
        Need(R is > 0 and <= 4096, source, $"r {R} is out of range [1, 4096]");
        Need(double.IsFinite(LoraAlpha) && LoraAlpha > 0, source, $"lora_alpha {LoraAlpha} must be a positive number");
        Need(LoraDropout is >= 0 and < 1, source, $"lora_dropout {LoraDropout} must be in [0, 1)");
        Need(TargetModules.IsValid, source, "target_modules is empty");
        Need(Bias == "none", source, $"bias '{Bias}' is not supported (only 'none')");
        Need(!FanInFanOut, source, "fan_in_fan_out is for GPT-2 style Conv1D layers, not BERT");
        NeedHeadModulesOnly(ModulesToSave, source);
        _ = TargetModules.Matcher(source);
        foreach (var (k, r) in RankPattern)
            Need(r is > 0 and <= 4096, source, $"rank_pattern[\"{k}\"] = {r} is out of range [1, 4096]");
        foreach (var (k, a) in AlphaPattern)
            Need(double.IsFinite(a) && a > 0, source, $"alpha_pattern[\"{k}\"] = {a} must be a positive number");
        _ = Patterns(RankPattern, source, "rank_pattern");
        _ = Patterns(AlphaPattern, source, "alpha_pattern");
        Need(!UseDora, source, "use_dora (DoRA) is not supported; the adapter is refused rather than loaded as plain LoRA");
        Need(LayerReplication is null || IsOff(LayerReplication.Value), source, "layer_replication is not supported");
        Need(MegatronConfig is null || IsOff(MegatronConfig.Value), source, "megatron_config is not supported");
        Need(LoftqConfig.Count == 0, source, "loftq_config is not supported (LoftQ changes the base weights)");
        Need(
            LayersPattern is null
                || IsOff(LayersPattern.Value)
                || LayersPattern.Value.ValueKind == JsonValueKind.String && LayersPattern.Value.GetString() == "layer",
            source,
            $"layers_pattern {LayersPattern?.GetRawText()} is not supported for BERT (null or \"layer\")"
        );
        var init = InitLoraWeights;
        Need(
            init.ValueKind is JsonValueKind.True or JsonValueKind.False
                || init.ValueKind == JsonValueKind.String && init.GetString() == "gaussian",
            source,
            $"init_lora_weights {init.GetRawText()} is not supported: initialisations such as PiSSA, OLoRA or LoftQ change the base weights the adapter expects"
        );
    }
}

/// <summary>peft's target_modules: a list of module names (a module matches when its name is one of them or ends with "." + one), or one regex that must match the whole name.</summary>
[JsonConverter(typeof(TargetModulesConverter))]
public sealed record TargetModules(IReadOnlyList<string>? Names, string? Regex = null)
{
    public bool IsValid => Regex is { Length: > 0 } || Names is { Count: > 0 };

    /// <summary>
    /// Whether a module (its full name, e.g. <c>bert.encoder.layer.0.attention.self.query</c>) is a target, as
    /// peft's check_target_module_exists; a regex is compiled once here (<see cref="ModulePattern"/>), refused
    /// naming <paramref name="source"/> when it is not one psim matches safely.
    /// </summary>
    public Func<string, bool> Matcher(string source)
    {
        if (Regex is { } rx)
            return ModulePattern.FullMatch(rx, source, "target_modules").IsMatch;
        var names = Names!;
        return moduleName => names.Any(n => moduleName == n || moduleName.EndsWith("." + n, StringComparison.Ordinal));
    }

    public override string ToString() => Regex ?? string.Join(", ", Names!);
}

internal sealed class TargetModulesConverter : JsonConverter<TargetModules>
{
    public override TargetModules Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => new TargetModules(null, reader.GetString()),
            JsonTokenType.StartArray => new TargetModules(JsonSerializer.Deserialize<List<string>>(ref reader, options)!),
            _ => throw new JsonException("target_modules must be a list of module names or a regex string"),
        };

    public override void Write(Utf8JsonWriter writer, TargetModules value, JsonSerializerOptions options)
    {
        if (value.Regex is { } rx)
            writer.WriteStringValue(rx);
        else
            JsonSerializer.Serialize(writer, value.Names, options);
    }
}

/// <summary>peft's layers_to_transform: one layer index or a list of them.</summary>
[JsonConverter(typeof(LayerListConverter))]
public sealed record LayerList(IReadOnlyList<int> Layers);

internal sealed class LayerListConverter : JsonConverter<LayerList>
{
    public override LayerList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetInt32(out int layer)
                ? new LayerList([layer])
                : throw new JsonException("layers_to_transform must be a whole layer index"),
            JsonTokenType.StartArray => new LayerList(JsonSerializer.Deserialize<List<int>>(ref reader, options)!),
            _ => throw new JsonException("layers_to_transform must be a layer index or a list of them"),
        };

    public override void Write(Utf8JsonWriter writer, LayerList value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.Layers, options);
}
