using System.Text.Json.Serialization;

namespace Psim.Peft.Adapters;

/// <summary>
/// Houlsby-style bottleneck adapters (psim's own peft_type BOTTLENECK: Hugging Face peft has no
/// such type, so peft itself will not load these files).
/// </summary>
public sealed record BottleneckConfig : PeftConfig
{
    protected override string TypeName => "BOTTLENECK";
    protected override string MethodName => "adapter";

    [JsonPropertyName("reduction_factor")]
    public int ReductionFactor { get; init; } = 16;

    [JsonPropertyName("non_linearity")]
    public string NonLinearity { get; init; } = "relu";

    /// <summary>Where adapters sit: after the attention output and after the feed-forward output (Houlsby).</summary>
    [JsonPropertyName("target_modules")]
    public List<string> TargetModules { get; init; } = ["attention.output", "output"];

    [JsonPropertyName("modules_to_save")]
    public List<string>? ModulesToSave { get; init; } = ["classifier"];

    public override void Validate(string source)
    {
        base.Validate(source);
        Need(ReductionFactor > 0, source, "reduction_factor must be positive");
        NeedHeadModulesOnly(ModulesToSave, source);
        Need(
            NonLinearity is "relu" or "gelu" or "swish" or "tanh",
            source,
            $"non_linearity '{NonLinearity}' is not supported (relu, gelu, swish, tanh)"
        );
        Need(
            TargetModules.All(t => t is "attention.output" or "output") && TargetModules.Count > 0,
            source,
            "target_modules may hold 'attention.output' and 'output'"
        );
    }
}
