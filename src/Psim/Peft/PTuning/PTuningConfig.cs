using System.Text.Json.Serialization;

namespace Psim.Peft.PTuning;

/// <summary>peft's PromptEncoderConfig (P-tuning v1; reference: 5 virtual tokens, MLP hidden 128).</summary>
public sealed record PTuningConfig : PromptLearningConfig
{
    public override string PeftType => "P_TUNING";
    public override string Method => "ptuning";
    [JsonPropertyName("encoder_reparameterization_type")] public string EncoderReparameterizationType { get; init; } = "MLP";
    [JsonPropertyName("encoder_hidden_size")] public int EncoderHiddenSize { get; init; } = 128;
    [JsonPropertyName("encoder_num_layers")] public int EncoderNumLayers { get; init; } = 2;
    [JsonPropertyName("encoder_dropout")] public double EncoderDropout { get; init; }

    public override void Validate(string source)
    {
        base.Validate(source);
        Need(EncoderReparameterizationType == "MLP", source, $"encoder_reparameterization_type '{EncoderReparameterizationType}' is not supported (MLP)");
        Need(EncoderHiddenSize > 0, source, "encoder_hidden_size must be positive");
    }
}
