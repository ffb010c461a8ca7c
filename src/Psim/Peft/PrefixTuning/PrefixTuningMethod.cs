using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft.PrefixTuning;

/// <summary>
/// peft's PrefixEncoder: the per-layer key/value table [n, layers · 2 · d]. Without projection it is a
/// trained N(0, 1) table; with <c>prefix_projection</c> it is transform(E), E an [n, d] table and
/// transform d → encoder_hidden_size → layers · 2 · d with a tanh between.
/// </summary>
public sealed class PrefixEncoder : nn.Module
{
    private readonly Embedding embedding;
    private readonly Sequential? transform;

    public PrefixEncoder(PrefixTuningConfig c)
        : base(nameof(PrefixEncoder))
    {
        int width = c.NumLayers * 2 * c.TokenDim;
        if (c.PrefixProjection)
        {
            int h = c.EncoderHiddenSize ?? c.TokenDim;
            embedding = nn.Embedding(c.NumVirtualTokens, c.TokenDim);
            transform = nn.Sequential(nn.Linear(c.TokenDim, h), nn.Tanh(), nn.Linear(h, width));
        }
        else
            embedding = nn.Embedding(c.NumVirtualTokens, width);
        nn.init.normal_(embedding.weight!, 0, 1);
        RegisterComponents();
    }

    public bool Projects => transform is not null;
    public Parameter Weight => embedding.weight!;

    /// <returns>the key/value table [n, layers · 2 · d]</returns>
    public Tensor Table() => transform is null ? embedding.weight! : transform.call(embedding.weight!);
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

    /// <summary>A loaded projected table (peft saves transform(E), which is then used as is).</summary>
    private Tensor? _fixed;

    public PrefixTuningMethod(PrefixTuningConfig config)
    {
        _config = config;
        _encoder = new PrefixEncoder(config);
    }

    public PeftConfig Config => _config;
    public nn.Module? Module => _encoder;
    public string KeyPrefix => "base_model.";

    public Tensor Forward(BertForSequenceClassification model, BertInput input)
    {
        var ids = input.InputIds ?? throw new ArgumentException("prefix tuning takes token ids");
        long b = ids.shape[0],
            s = ids.shape[1];
        int n = _config.NumVirtualTokens,
            layers = _config.NumLayers,
            heads = _config.NumAttentionHeads,
            hd = _config.TokenDim / heads;
        // [n, L·2·d] -> [n, L·2, heads, hd] -> [L·2, heads, n, hd]; layer i: key 2i, value 2i+1, expanded over the batch
        var kv = (_fixed ?? _encoder.Table()).view(n, layers * 2, heads, hd).permute(1, 2, 0, 3);
        var prefix = Enumerable
            .Range(0, layers)
            .Select(i => new LayerPrefix(kv[2 * i].unsqueeze(0).expand(b, -1, -1, -1), kv[2 * i + 1].unsqueeze(0).expand(b, -1, -1, -1)))
            .ToList();
        var mask = cat([ones(b, n, ScalarType.Int64), input.AttentionMask ?? ones(b, s, ScalarType.Int64)], 1); // [B, n + S]
        return model.call(input with { AttentionMask = mask, Prefix = prefix });
    }

    public Dictionary<string, Tensor> SaveState(BertForSequenceClassification model)
    {
        if (!_encoder.Projects)
            return new() { ["prompt_embeddings"] = _encoder.Weight };
        using var noGrad = no_grad();
        return new() { ["prompt_embeddings"] = (_fixed ?? _encoder.Table()).detach().clone() };
    }

    public void LoadState(BertForSequenceClassification model, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        if (!_encoder.Projects)
        {
            PeftState.CopyInto(state, "prompt_embeddings", _encoder.Weight, source);
            return;
        }
        var target = zeros(_config.NumVirtualTokens, _config.NumLayers * 2 * _config.TokenDim);
        PeftState.CopyInto(state, "prompt_embeddings", target, source);
        _fixed?.Dispose();
        _fixed = target.DetachFromDisposeScope();
        foreach (var p in _encoder.parameters())
            p.requires_grad = false;
    }
}
