using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>attention.self + attention.output (the <c>attention</c> block of transformers).</summary>
public sealed class BertAttention : nn.Module
{
    private readonly BertSelfAttention self;
    private readonly BertResidualOutput output;

    public BertAttention(BertConfig c)
        : base(nameof(BertAttention))
    {
        self = new BertSelfAttention(c);
        output = new BertResidualOutput(c.HiddenSize, c);
        RegisterComponents();
    }

    public BertSelfAttention Self => self;
    public BertResidualOutput Output => output;

    /// <param name="firstOnly">attend from position 0 alone (keys and values from all): returns [B, 1, H]</param>
    /// <returns>LayerNorm(x + dropout(W_o attn(x, hidden))) for the queried positions x: [B, S, H] or [B, 1, H]</returns>
    public Tensor forward(Tensor hidden, Tensor mask, LayerPrefix? prefix, bool firstOnly = false)
    {
        var queries = firstOnly ? hidden.narrow(1, 0, 1) : hidden; // [B, S or 1, H]
        return output.forward(self.forward(hidden, mask, prefix, queries), queries);
    }
}

/// <summary>One post-LN transformer layer: attention, then the feed-forward block.</summary>
public sealed class BertLayer : nn.Module
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;

    public BertLayer(BertConfig c)
        : base(nameof(BertLayer))
    {
        attention = new BertAttention(c);
        intermediate = new BertIntermediate(c);
        output = new BertResidualOutput(c.IntermediateSize, c);
        RegisterComponents();
    }

    public BertAttention Attention => attention;
    public BertIntermediate Intermediate => intermediate;
    public BertResidualOutput Output => output;

    /// <param name="hidden">[B, S, H]</param>
    /// <param name="mask">[B, 1, 1, P + S] additive</param>
    /// <param name="firstOnly">compute position 0 alone (what the pooler reads)</param>
    /// <returns>[B, S, H], or [B, 1, H] with firstOnly</returns>
    public Tensor forward(Tensor hidden, Tensor mask, LayerPrefix? prefix, bool firstOnly = false)
    {
        var a = attention.forward(hidden, mask, prefix, firstOnly); // [B, S or 1, H]
        return output.forward(intermediate.forward(a), a); // [B, S or 1, H]
    }
}
