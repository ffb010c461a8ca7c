using System.Text.Json.Serialization;

namespace Psim.Peft.PTuning;

/// <summary>peft's PromptEncoderConfig (P-tuning v1; reference: 5 virtual tokens, MLP hidden 128; LSTM also honoured).</summary>
public sealed record PTuningConfig : PromptLearningConfig
{
    protected override string TypeName => "P_TUNING";
    protected override string MethodName => "ptuning";

    [JsonPropertyName("encoder_reparameterization_type")]
    public string EncoderReparameterizationType { get; init; } = "MLP";

    [JsonPropertyName("encoder_hidden_size")]
    public int EncoderHiddenSize { get; init; } = 128;

    [JsonPropertyName("encoder_num_layers")]
    public int EncoderNumLayers { get; init; } = 2;

    [JsonPropertyName("encoder_dropout")]
    public double EncoderDropout { get; init; }

    public override void Validate(string source)
    {
        base.Validate(source);
        Need(
            EncoderReparameterizationType is "MLP" or "LSTM",
            source,
            $"encoder_reparameterization_type '{EncoderReparameterizationType}' is not supported (MLP, LSTM)"
        );
        Need(EncoderHiddenSize is > 0 and <= 65_536, source, $"encoder_hidden_size {EncoderHiddenSize} is out of range");
        Need(EncoderNumLayers is > 0 and <= 64, source, $"encoder_num_layers {EncoderNumLayers} is out of range");
        Need(EncoderDropout is >= 0 and < 1, source, $"encoder_dropout {EncoderDropout} must be in [0, 1)");
    }
}
