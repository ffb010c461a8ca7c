using System.Text.Json.Serialization;

namespace Psim.Peft.PrefixTuning;

/// <summary>peft's PrefixTuningConfig (P-tuning v2; reference: 5 virtual tokens, no projection).</summary>
public sealed record PrefixTuningConfig : PromptLearningConfig
{
    public override string PeftType => "PREFIX_TUNING";
    public override string Method => "prefix";
    [JsonPropertyName("encoder_hidden_size")] public int? EncoderHiddenSize { get; init; }
    [JsonPropertyName("prefix_projection")] public bool PrefixProjection { get; init; }

    public override void Validate(string source)
    {
        base.Validate(source);
        Need(!PrefixProjection, source, "prefix_projection is not supported (the reference uses none)");
        Need(TokenDim % NumAttentionHeads == 0, source, "token_dim is not a multiple of num_attention_heads");
    }
}
