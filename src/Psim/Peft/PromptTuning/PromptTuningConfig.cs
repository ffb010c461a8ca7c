using System.Text.Json.Serialization;

namespace Psim.Peft.PromptTuning;

/// <summary>peft's PromptTuningConfig (reference: 5 virtual tokens, random N(0,1) init).</summary>
public sealed record PromptTuningConfig : PromptLearningConfig
{
    protected override string TypeName => "PROMPT_TUNING";
    protected override string MethodName => "prompt";

    [JsonPropertyName("prompt_tuning_init")]
    public string PromptTuningInit { get; init; } = "RANDOM";

    [JsonPropertyName("prompt_tuning_init_text")]
    public string? PromptTuningInitText { get; init; }

    [JsonPropertyName("tokenizer_name_or_path")]
    public string? TokenizerNameOrPath { get; init; }

    public override void Validate(string source)
    {
        base.Validate(source);
        Need(PromptTuningInit == "RANDOM", source, $"prompt_tuning_init '{PromptTuningInit}' is not supported (RANDOM)");
    }
}
