using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>
/// Prefix keys and values for one layer, prepended to that layer's own keys and values
/// (P-tuning v2 / prefix tuning). Shapes: [batch, heads, prefix, head_dim].
/// </summary>
public sealed record LayerPrefix(Tensor Key, Tensor Value);

/// <summary>
/// The inputs of a BERT forward pass, as in transformers' <c>BertModel.forward</c>.
/// Exactly one of <see cref="InputIds"/> and <see cref="InputsEmbeds"/> is set.
/// </summary>
public sealed record BertInput
{
    /// <summary>[batch, seq] int64 token ids.</summary>
    public Tensor? InputIds { get; init; }

    /// <summary>[batch, seq, hidden] embeddings used instead of the word embeddings of ids.</summary>
    public Tensor? InputsEmbeds { get; init; }

    /// <summary>[batch, prefix + seq]: 1 for tokens to attend to, 0 for padding. Null: attend to all.</summary>
    public Tensor? AttentionMask { get; init; }

    /// <summary>[batch, seq] int64 segment ids. Null: zeros.</summary>
    public Tensor? TokenTypeIds { get; init; }

    /// <summary>[batch, seq] int64 positions. Null: prefix length .. prefix length + seq - 1, as transformers does with past key values.</summary>
    public Tensor? PositionIds { get; init; }

    /// <summary>Per-layer prefix keys and values (one per layer), or null.</summary>
    public IReadOnlyList<LayerPrefix>? Prefix { get; init; }

    /// <summary>
    /// Only the pooled output is wanted (sequence classification): the last layer then computes its first
    /// position alone, the only one the pooler reads (keys and values still come from every position), and
    /// <see cref="BertOutputs.LastHiddenState"/> is [batch, 1, hidden]. Exact: the other positions of the last
    /// layer feed nothing, so outputs and gradients are those of the full computation.
    /// </summary>
    public bool PooledOnly { get; init; }

    /// <summary>Also return every layer's output (transformers' <c>output_hidden_states</c>, without the embedding output): <see cref="BertOutputs.HiddenStates"/>.</summary>
    public bool OutputHiddenStates { get; init; }

    /// <summary>
    /// Receives every layer's output [batch, seq, hidden] (first layer first; the last is [batch, 1, hidden] when
    /// pooled only) during the forward pass: how a caller reads the features of a classifier whose forward returns
    /// logits only, through whatever wraps it (DAN reads the victim's layer-wise [CLS] features this way).
    /// </summary>
    public Action<IReadOnlyList<Tensor>>? HiddenStatesSink { get; init; }
}

/// <summary>Outputs of the encoder: last hidden state [batch, seq, hidden] ([batch, 1, hidden] when pooled only) and pooled [batch, hidden].</summary>
public sealed record BertOutputs(Tensor LastHiddenState, Tensor PooledOutput)
{
    /// <summary>With <see cref="BertInput.OutputHiddenStates"/>: each layer's output [batch, seq, hidden], first layer first.</summary>
    public IReadOnlyList<Tensor>? HiddenStates { get; init; }
}
