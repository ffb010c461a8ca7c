using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>Multi-head scaled dot-product self-attention with optional per-layer prefix keys/values.</summary>
public sealed class BertSelfAttention : nn.Module, ILinearHost
{
    private nn.Module<Tensor, Tensor> query;
    private nn.Module<Tensor, Tensor> key;
    private nn.Module<Tensor, Tensor> value;
    private readonly int _heads, _headDim;
    private readonly double _dropoutP;

    public BertSelfAttention(BertConfig c) : base(nameof(BertSelfAttention))
    {
        _heads = c.NumAttentionHeads;
        _headDim = c.HeadDim;
        _dropoutP = c.AttentionProbsDropoutProb;
        query = nn.Linear(c.HiddenSize, c.HiddenSize);
        key = nn.Linear(c.HiddenSize, c.HiddenSize);
        value = nn.Linear(c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    /// <param name="hidden">[B, S, H]</param>
    /// <param name="mask">[B, 1, 1, P + S] additive mask (0 keep, very negative drop)</param>
    /// <param name="prefix">keys and values [B, heads, P, d] prepended to this layer's own, or null</param>
    /// <returns>[B, S, H]</returns>
    public Tensor forward(Tensor hidden, Tensor mask, LayerPrefix? prefix)
    {
        long b = hidden.shape[0], s = hidden.shape[1];
        var q = SplitHeads(query.call(hidden), b, s); // [B, h, S, d]
        var k = SplitHeads(key.call(hidden), b, s);   // [B, h, S, d]
        var v = SplitHeads(value.call(hidden), b, s); // [B, h, S, d]
        if (prefix is not null)
        {
            k = cat([prefix.Key.to(k.dtype), k], 2); // [B, h, P + S, d]
            v = cat([prefix.Value.to(v.dtype), v], 2);
        }
        // softmax(q k^T / sqrt(d) + mask) v, with dropout on the probabilities while training
        var ctx = nn.functional.scaled_dot_product_attention(q, k, v, mask, training ? _dropoutP : 0.0, false); // [B, h, S, d]
        return ctx.transpose(1, 2).reshape(b, s, _heads * _headDim); // [B, S, H]
    }

    private Tensor SplitHeads(Tensor x, long b, long s) => x.view(b, s, _heads, _headDim).transpose(1, 2);

    public IReadOnlyList<string> LinearNames { get; } = ["query", "key", "value"];

    public nn.Module<Tensor, Tensor> GetLinear(string name) => name switch
    {
        "query" => query,
        "key" => key,
        "value" => value,
        _ => throw new ArgumentException($"BertSelfAttention has no linear child '{name}'"),
    };

    public void SetLinear(string name, nn.Module<Tensor, Tensor> module)
    {
        switch (name)
        {
            case "query": query = module; break;
            case "key": key = module; break;
            case "value": value = module; break;
            default: throw new ArgumentException($"BertSelfAttention has no linear child '{name}'");
        }
        ModuleSurgery.Replace(this, name, module);
    }
}
