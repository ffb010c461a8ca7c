using Psim.Models;
using static TorchSharp.torch;

namespace Psim.Peft;

/// <summary>
/// Prompt tuning and P-tuning input: n virtual token embeddings prepended to the word embeddings;
/// the attention mask gets n leading ones and the token type ids n leading zeros (as peft does).
/// The pooler then reads position 0, the first virtual token.
/// </summary>
public static class PromptInput
{
    /// <param name="prompts">[n, d] virtual token embeddings</param>
    public static Tensor Forward(BertForSequenceClassification model, BertInput input, Tensor prompts)
    {
        var ids = input.InputIds ?? throw new ArgumentException("prompt methods take token ids");
        long b = ids.shape[0],
            s = ids.shape[1],
            n = prompts.shape[0];
        var words = model.Bert.Embeddings.Embed(ids); // [B, S, d]
        var embeds = cat([prompts.unsqueeze(0).expand(b, -1, -1), words], 1); // [B, n + S, d]
        var mask = cat([ones(b, n, ScalarType.Int64), input.AttentionMask ?? ones(b, s, ScalarType.Int64)], 1); // [B, n + S]
        var types = cat([zeros(b, n, ScalarType.Int64), input.TokenTypeIds ?? zeros(b, s, ScalarType.Int64)], 1); // [B, n + S]
        return model.call(
            new BertInput
            {
                InputsEmbeds = embeds,
                AttentionMask = mask,
                TokenTypeIds = types,
                HiddenStatesSink = input.HiddenStatesSink,
            }
        );
    }
}
