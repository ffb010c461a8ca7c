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
    private readonly int _heads,
        _headDim;
    private readonly double _dropoutP;

    public BertSelfAttention(BertConfig c)
        : base(nameof(BertSelfAttention))
    {
        _heads = c.NumAttentionHeads;
        _headDim = c.HeadDim;
        _dropoutP = c.AttentionProbsDropoutProb;
        query = nn.Linear(c.HiddenSize, c.HiddenSize);
        key = nn.Linear(c.HiddenSize, c.HiddenSize);
        value = nn.Linear(c.HiddenSize, c.HiddenSize);
        RegisterComponents();
    }

    /// <summary>
    /// Whether this attention must have second derivatives (an objective that differentiates a gradient):
    /// LibTorch's fused CPU kernel has no double backward, so the math path is taken even without dropout.
    /// </summary>
    public bool TwiceDifferentiable { get; set; }

    /// <param name="hidden">[B, S, H]</param>
    /// <param name="mask">[B, 1, 1, P + S] additive mask (0 keep, very negative drop)</param>
    /// <param name="prefix">keys and values [B, heads, P, d] prepended to this layer's own, or null</param>
    /// <param name="queries">[B, Q, H] the positions that attend (null: all of hidden)</param>
    /// <returns>[B, Q, H]</returns>
    public Tensor forward(Tensor hidden, Tensor mask, LayerPrefix? prefix, Tensor? queries = null)
    {
        long b = hidden.shape[0],
            s = hidden.shape[1];
        queries ??= hidden;
        long nq = queries.shape[1];
        var q = SplitHeads(query.call(queries), b, nq); // [B, h, Q, d]
        var k = SplitHeads(key.call(hidden), b, s); // [B, h, S, d]
        var v = SplitHeads(value.call(hidden), b, s); // [B, h, S, d]
        if (prefix is not null)
        {
            k = cat([prefix.Key.to(k.dtype), k], 2); // [B, h, P + S, d]
            v = cat([prefix.Value.to(v.dtype), v], 2);
        }
        var ctx = Attend(q, k, v, mask, training ? _dropoutP : 0, fused: !TwiceDifferentiable); // [B, h, Q, d]
        return ctx.transpose(1, 2).reshape(b, nq, _heads * _headDim); // [B, Q, H]
    }

    /// <summary>
    /// softmax(q kᵀ / √d + mask) v, with dropout p on the probabilities (p = 0 outside training). Without
    /// dropout this is LibTorch's fused flash attention: no [B, h, S, S] tensor is formed.
    /// LibTorch has no fused CPU kernel with dropout (its scaled_dot_product_attention then takes its
    /// unfused math path, with a one-thread dropout mask); psim spells that path out with a parallel mask.
    /// </summary>
    /// <param name="q">[B, h, S, d]</param>
    /// <param name="k">[B, h, K, d] (K = P + S with a prefix)</param>
    /// <param name="v">[B, h, K, d]</param>
    /// <param name="mask">[B, 1, 1, K] additive</param>
    /// <param name="dropoutP">dropout probability on the attention probabilities (0: none)</param>
    /// <param name="fused">without dropout, use the fused kernel (false: the math path, which has second derivatives)</param>
    /// <returns>[B, h, S, d]</returns>
    public static Tensor Attend(Tensor q, Tensor k, Tensor v, Tensor mask, double dropoutP, bool fused = true)
    {
        if (dropoutP == 0 && fused)
            return nn.functional.scaled_dot_product_attention(q, k, v, mask);
        var scores = matmul(q * (1.0 / Math.Sqrt(q.shape[^1])), k.transpose(-1, -2)); // [B, h, S, K]
        scores.add_(mask);
        var probs = nn.functional.softmax(scores, -1); // [B, h, S, K]
        return matmul(dropoutP == 0 ? probs : probs * ParallelDropout.Mask(probs.shape, dropoutP, probs.dtype), v);
    }

    private Tensor SplitHeads(Tensor x, long b, long s) => x.view(b, s, _heads, _headDim).transpose(1, 2);

    public IReadOnlyList<string> LinearNames { get; } = ["query", "key", "value"];

    public nn.Module<Tensor, Tensor> GetLinear(string name) =>
        name switch
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
            case "query":
                query = module;
                break;
            case "key":
                key = module;
                break;
            case "value":
                value = module;
                break;
            default:
                throw new ArgumentException($"BertSelfAttention has no linear child '{name}'");
        }
        ModuleSurgery.Replace(this, name, module);
    }
}
