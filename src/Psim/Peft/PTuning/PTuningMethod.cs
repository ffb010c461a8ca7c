using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft.PTuning;

/// <summary>
/// peft's PromptEncoder with an MLP: prompts = MLP(E), E an [n, d] table N(0, 1),
/// MLP d → h → h → d with ReLU after the first two layers.
/// </summary>
public sealed class PromptEncoder : nn.Module
{
    private readonly Embedding embedding;
    private readonly Sequential mlp_head;

    public PromptEncoder(int tokens, int dim, int hidden) : base(nameof(PromptEncoder))
    {
        embedding = nn.Embedding(tokens, dim);
        nn.init.normal_(embedding.weight!, 0, 1);
        mlp_head = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, dim));
        RegisterComponents();
    }

    /// <returns>the virtual token embeddings [n, d]</returns>
    public Tensor Compute() => mlp_head.call(embedding.weight!);
}

/// <summary>
/// P-tuning (v1). A loaded adapter holds the encoder's output (peft saves <c>prompt_embeddings</c>
/// computed by the MLP), which is then used as is, as peft does in inference mode.
/// </summary>
public sealed class PTuningMethod : IPeftMethod
{
    private readonly PTuningConfig _config;
    private readonly PromptEncoder _encoder;
    private Tensor? _fixed;

    public PTuningMethod(PTuningConfig config)
    {
        _config = config;
        _encoder = new PromptEncoder(config.NumVirtualTokens, config.TokenDim, config.EncoderHiddenSize);
    }

    public PeftConfig Config => _config;
    public nn.Module? Module => _encoder;
    public string KeyPrefix => "base_model.";

    public Tensor Forward(BertForSequenceClassification model, BertInput input) =>
        PromptInput.Forward(model, input, _fixed ?? _encoder.Compute());

    public Dictionary<string, Tensor> SaveState(BertForSequenceClassification model)
    {
        using var noGrad = no_grad();
        return new() { ["prompt_embeddings"] = (_fixed ?? _encoder.Compute()).detach().clone() };
    }

    public void LoadState(BertForSequenceClassification model, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        var target = zeros(_config.NumVirtualTokens, _config.TokenDim);
        PeftState.CopyInto(state, "prompt_embeddings", target, source);
        _fixed?.Dispose();
        _fixed = target.DetachFromDisposeScope();
        foreach (var p in _encoder.parameters()) p.requires_grad = false;
    }
}
