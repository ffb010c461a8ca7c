using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft.PromptTuning;

/// <summary>The trainable virtual token table [n, d], N(0, 1) (peft's PromptEmbedding).</summary>
public sealed class PromptEmbedding : nn.Module
{
    private readonly Embedding embedding;

    public PromptEmbedding(int tokens, int dim)
        : base(nameof(PromptEmbedding))
    {
        embedding = nn.Embedding(tokens, dim);
        nn.init.normal_(embedding.weight!, 0, 1);
        RegisterComponents();
    }

    public Parameter Weight => embedding.weight!;
}

/// <summary>Prompt tuning: learned virtual tokens prepended to the input embeddings.</summary>
public sealed class PromptTuningMethod : IPeftMethod
{
    private readonly PromptTuningConfig _config;
    private readonly PromptEmbedding _prompt;

    public PromptTuningMethod(PromptTuningConfig config)
    {
        _config = config;
        _prompt = new PromptEmbedding(config.NumVirtualTokens, config.TokenDim);
    }

    public PeftConfig Config => _config;
    public nn.Module? Module => _prompt;
    public string KeyPrefix => "base_model.";

    public Tensor Forward(BertForSequenceClassification model, BertInput input) => PromptInput.Forward(model, input, _prompt.Weight);

    public Dictionary<string, Tensor> SaveState(BertForSequenceClassification model) => new() { ["prompt_embeddings"] = _prompt.Weight };

    public void LoadState(BertForSequenceClassification model, IReadOnlyDictionary<string, Tensor> state, string source) =>
        PeftState.CopyInto(state, "prompt_embeddings", _prompt.Weight, source);
}
