using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>A dense layer whose linear child can be replaced; the base of the three dense blocks of a layer.</summary>
public abstract class DenseHost : nn.Module, ILinearHost
{
    protected nn.Module<Tensor, Tensor> dense;

    protected DenseHost(string name, int inFeatures, int outFeatures)
        : base(name)
    {
        dense = nn.Linear(inFeatures, outFeatures);
    }

    public IReadOnlyList<string> LinearNames { get; } = ["dense"];

    public nn.Module<Tensor, Tensor> GetLinear(string name) =>
        name == "dense" ? dense : throw new ArgumentException($"{GetName()} has no linear child '{name}'");

    public void SetLinear(string name, nn.Module<Tensor, Tensor> module)
    {
        if (name != "dense")
            throw new ArgumentException($"{GetName()} has no linear child '{name}'");
        dense = module;
        ModuleSurgery.Replace(this, name, module);
    }
}

/// <summary>dense, dropout, then LayerNorm of the residual sum (post-LN); used after attention and after the feed-forward.</summary>
public sealed class BertResidualOutput : DenseHost
{
    private readonly LayerNorm LayerNorm;
    private readonly ParallelDropout dropout;

    public BertResidualOutput(int inFeatures, BertConfig c)
        : base(nameof(BertResidualOutput), inFeatures, c.HiddenSize)
    {
        LayerNorm = nn.LayerNorm(c.HiddenSize, c.LayerNormEps);
        dropout = new ParallelDropout(c.HiddenDropoutProb);
        RegisterComponents();
    }

    /// <param name="hidden">[B, S, in]</param>
    /// <param name="residual">[B, S, H]</param>
    /// <returns>LayerNorm(dropout(dense(hidden)) + residual): [B, S, H]</returns>
    public Tensor forward(Tensor hidden, Tensor residual) => LayerNorm.call(dropout.call(dense.call(hidden)) + residual);
}

/// <summary>The feed-forward expansion: act(dense(x)), [B, S, H] -> [B, S, intermediate].</summary>
public sealed class BertIntermediate : DenseHost
{
    private readonly string _act;

    public BertIntermediate(BertConfig c)
        : base(nameof(BertIntermediate), c.HiddenSize, c.IntermediateSize)
    {
        _act = c.HiddenAct;
        RegisterComponents();
    }

    public Tensor forward(Tensor hidden)
    {
        var h = dense.call(hidden); // [B, S, I]
        return _act switch
        {
            "gelu" => nn.functional.gelu(h),
            "gelu_new" or "gelu_pytorch_tanh" => nn.functional.gelu(h, TorchSharp.Modules.GELU.Approximate.tanh),
            "relu" => nn.functional.relu(h),
            _ => throw new InvalidOperationException($"unsupported activation {_act}"),
        };
    }
}
