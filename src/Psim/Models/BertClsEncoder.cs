using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>
/// The encoder's output representation: the last layer's hidden state at [CLS], [B, H] (transformers'
/// <c>last_hidden_state[:, 0]</c>, before the pooler). Wraps a <see cref="BertModel"/> without owning more
/// weights, so a trainer that takes a module from inputs to a tensor can train an encoder on it.
/// </summary>
public sealed class BertClsEncoder : nn.Module<BertInput, Tensor>
{
    private readonly BertModel bert;

    public BertClsEncoder(BertModel model)
        : base(nameof(BertClsEncoder))
    {
        bert = model;
        RegisterComponents();
    }

    public BertModel Bert => bert;

    public override Tensor forward(BertInput input) => bert.call(input with { PooledOnly = true }).LastHiddenState[.., 0]; // [B, 1, H] -> [B, H]
}
