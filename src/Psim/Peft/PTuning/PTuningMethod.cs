using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft.PTuning;

/// <summary>
/// peft's PromptEncoder: prompts = head(E), E an [n, d] table N(0, 1). MLP: d → h → h → d with ReLU after
/// the first two layers. LSTM: a bidirectional LSTM (h per direction, encoder_num_layers, encoder_dropout)
/// over E, then 2h → 2h → d with a ReLU between.
/// </summary>
public sealed class PromptEncoder : nn.Module
{
    private readonly Embedding embedding;
    private readonly LSTM? lstm_head;
    private readonly Sequential mlp_head;

    public PromptEncoder(PTuningConfig c)
        : base(nameof(PromptEncoder))
    {
        int n = c.NumVirtualTokens,
            d = c.TokenDim,
            h = c.EncoderHiddenSize;
        embedding = nn.Embedding(n, d);
        nn.init.normal_(embedding.weight!, 0, 1);
        if (c.EncoderReparameterizationType == "LSTM")
        {
            lstm_head = nn.LSTM(d, h, c.EncoderNumLayers, dropout: c.EncoderDropout, bidirectional: true, batchFirst: true);
            mlp_head = nn.Sequential(nn.Linear(2 * h, 2 * h), nn.ReLU(), nn.Linear(2 * h, d));
        }
        else
            mlp_head = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, d));
        RegisterComponents();
    }

    /// <returns>the virtual token embeddings [n, d]</returns>
    public Tensor Compute()
    {
        if (lstm_head is null)
            return mlp_head.call(embedding.weight!);
        var (output, _, _) = lstm_head.call(embedding.weight!.unsqueeze(0), null); // [1, n, 2h]
        return mlp_head.call(output).squeeze(0); // [n, d]
    }
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
        _encoder = new PromptEncoder(config);
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
        foreach (var p in _encoder.parameters())
            p.requires_grad = false;
    }
}
