using System.Text.Json.Serialization;

namespace Psim.Peft.PrefixTuning;

/// <summary>peft's PrefixTuningConfig (P-tuning v2; reference: 5 virtual tokens, no projection; prefix_projection honoured).</summary>
public sealed record PrefixTuningConfig : PromptLearningConfig
{
    protected override string TypeName => "PREFIX_TUNING";
    protected override string MethodName => "prefix";

    [JsonPropertyName("encoder_hidden_size")]
    public int? EncoderHiddenSize { get; init; }

    [JsonPropertyName("prefix_projection")]
    public bool PrefixProjection { get; init; }

    public override void Validate(string source)
    {
        base.Validate(source);
        Need(EncoderHiddenSize is null or (> 0 and <= 65_536), source, $"encoder_hidden_size {EncoderHiddenSize} is out of range");
        Need(TokenDim % NumAttentionHeads == 0, source, "token_dim is not a multiple of num_attention_heads");
    }
}
