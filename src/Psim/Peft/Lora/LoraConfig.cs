using System.Text.Json.Serialization;

namespace Psim.Peft.Lora;

/// <summary>peft's LoraConfig (reference: r 8, alpha 16, dropout 0.1, on query and value).</summary>
public sealed record LoraConfig : PeftConfig
{
    public override string PeftType => "LORA";
    public override string Method => "lora";
    [JsonPropertyName("r")] public int R { get; init; } = 8;
    [JsonPropertyName("lora_alpha")] public int LoraAlpha { get; init; } = 16;
    [JsonPropertyName("lora_dropout")] public double LoraDropout { get; init; } = 0.1;
    [JsonPropertyName("target_modules")] public List<string> TargetModules { get; init; } = ["query", "value"];
    [JsonPropertyName("bias")] public string Bias { get; init; } = "none";
    [JsonPropertyName("fan_in_fan_out")] public bool FanInFanOut { get; init; }
    [JsonPropertyName("modules_to_save")] public List<string>? ModulesToSave { get; init; } = ["classifier"];

    [JsonIgnore] public double Scaling => (double)LoraAlpha / R;

    public override void Validate(string source)
    {
        Need(R is > 0 and <= 4096, source, $"LoRA rank r={R} is out of range");
        Need(LoraAlpha > 0, source, "lora_alpha must be positive");
        Need(LoraDropout is >= 0 and < 1, source, "lora_dropout must be in [0, 1)");
        Need(TargetModules.Count > 0, source, "target_modules is empty");
        Need(Bias == "none", source, $"bias '{Bias}' is not supported (only 'none')");
        Need(!FanInFanOut, source, "fan_in_fan_out is for GPT-2 style Conv1D layers, not BERT");
    }
}
