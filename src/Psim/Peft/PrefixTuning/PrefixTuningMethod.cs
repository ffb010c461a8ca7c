using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft.PrefixTuning;

/// <summary>peft's PrefixEncoder without projection: a table [n, layers · 2 · d], N(0, 1).</summary>
public sealed class PrefixEncoder : nn.Module
{
    private readonly Embedding embedding;

    public PrefixEncoder(int tokens, int width) : base(nameof(PrefixEncoder))
    {
        embedding = nn.Embedding(tokens, width);
        nn.init.normal_(embedding.weight!, 0, 1);
        RegisterComponents();
    }

    public Parameter Weight => embedding.weight!;
}

/// <summary>
/// P-tuning v2 (prefix tuning): per layer, n trained key and value vectors prepended to that layer's
/// keys and values. The attention mask gets n leading ones; the model shifts real tokens' position
/// ids by n, as transformers does with past key values.
/// </summary>
public sealed class PrefixTuningMethod : IPeftMethod
{
    private readonly PrefixTuningConfig _config;
    private readonly PrefixEncoder _encoder;

    public PrefixTuningMethod(PrefixTuningConfig config)
    {
        _config = config;
        _encoder = new PrefixEncoder(config.NumVirtualTokens, config.NumLayers * 2 * config.TokenDim);
    }

    public PeftConfig Config => _config;
    public nn.Module? Module => _encoder;
    public string KeyPrefix => "base_model.";

    public Tensor Forward(BertForSequenceClassification model, BertInput input)
    {
        var ids = input.InputIds ?? throw new ArgumentException("prefix tuning takes token ids");
        long b = ids.shape[0], s = ids.shape[1];
        int n = _config.NumVirtualTokens, layers = _config.NumLayers, heads = _config.NumAttentionHeads, hd = _config.TokenDim / heads;
        // [n, L·2·d] -> [n, L·2, heads, hd] -> [L·2, heads, n, hd]; layer i: key 2i, value 2i+1, expanded over the batch
        var kv = _encoder.Weight.view(n, layers * 2, heads, hd).permute(1, 2, 0, 3);
        var prefix = Enumerable.Range(0, layers)
            .Select(i => new LayerPrefix(kv[2 * i].unsqueeze(0).expand(b, -1, -1, -1), kv[2 * i + 1].unsqueeze(0).expand(b, -1, -1, -1)))
            .ToList();
        var mask = cat([ones(b, n, ScalarType.Int64), input.AttentionMask ?? ones(b, s, ScalarType.Int64)], 1); // [B, n + S]
        return model.call(input with { AttentionMask = mask, Prefix = prefix });
    }

    public Dictionary<string, Tensor> SaveState(BertForSequenceClassification model) => new() { ["prompt_embeddings"] = _encoder.Weight };

    public void LoadState(BertForSequenceClassification model, IReadOnlyDictionary<string, Tensor> state, string source) =>
        PeftState.CopyInto(state, "prompt_embeddings", _encoder.Weight, source);
}
