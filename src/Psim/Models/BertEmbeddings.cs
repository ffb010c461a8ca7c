using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>word + position + token-type embeddings, then LayerNorm and dropout (transformers' BertEmbeddings).</summary>
public sealed class BertEmbeddings : nn.Module
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    private readonly LayerNorm LayerNorm;
    private readonly ParallelDropout dropout;

    public BertEmbeddings(BertConfig c)
        : base(nameof(BertEmbeddings))
    {
        word_embeddings = nn.Embedding(c.VocabSize, c.HiddenSize, padding_idx: c.PadTokenId);
        position_embeddings = nn.Embedding(c.MaxPositionEmbeddings, c.HiddenSize);
        token_type_embeddings = nn.Embedding(c.TypeVocabSize, c.HiddenSize);
        LayerNorm = nn.LayerNorm(c.HiddenSize, c.LayerNormEps);
        dropout = new ParallelDropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <summary>The word embedding table [vocab, hidden]; prompt methods embed ids with it.</summary>
    public Embedding WordEmbeddings => word_embeddings;

    /// <param name="inputsEmbeds">[B, S, H] word embeddings (from ids or given)</param>
    /// <param name="tokenTypeIds">[B, S]</param>
    /// <param name="positionIds">[B, S] or [1, S]</param>
    /// <returns>[B, S, H]</returns>
    public Tensor forward(Tensor inputsEmbeds, Tensor tokenTypeIds, Tensor positionIds)
    {
        var x = inputsEmbeds + token_type_embeddings.call(tokenTypeIds) + position_embeddings.call(positionIds); // [B, S, H]
        return dropout.call(LayerNorm.call(x));
    }

    public Tensor Embed(Tensor inputIds) => word_embeddings.call(inputIds); // [B, S] -> [B, S, H]
}
