using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>The stack of layers (transformers' <c>encoder</c>; children named <c>layer.N</c>).</summary>
public sealed class BertEncoder : nn.Module
{
    private readonly ModuleList<BertLayer> layer;

    public BertEncoder(BertConfig c)
        : base(nameof(BertEncoder))
    {
        layer = nn.ModuleList(Enumerable.Range(0, c.NumHiddenLayers).Select(_ => new BertLayer(c)).ToArray());
        RegisterComponents();
        _layers = layer.ToArray(); // a view for callers, built once (not a copy per forward)
    }

    public IReadOnlyList<BertLayer> Layers => _layers;

    private IReadOnlyList<BertLayer> _layers = [];

    /// <param name="firstOnly">the last layer computes position 0 alone: returns [B, 1, H]</param>
    /// <param name="layerOutputs">when given, receives each layer's output [B, S, H]</param>
    public Tensor forward(
        Tensor hidden,
        Tensor mask,
        IReadOnlyList<LayerPrefix>? prefix,
        bool firstOnly = false,
        List<Tensor>? layerOutputs = null
    )
    {
        for (int i = 0; i < layer.Count; i++)
        {
            hidden = layer[i].forward(hidden, mask, prefix?[i], firstOnly && i == layer.Count - 1); // [B, S, H]
            layerOutputs?.Add(hidden);
        }
        return hidden;
    }
}

/// <summary>tanh(dense(hidden[:, 0])): [B, S, H] -> [B, H].</summary>
public sealed class BertPooler : DenseHost
{
    public BertPooler(BertConfig c)
        : base(nameof(BertPooler), c.HiddenSize, c.HiddenSize)
    {
        RegisterComponents();
    }

    /// <param name="hidden">[B, S, H]</param>
    /// <returns>tanh(dense(hidden[:, 0])): [B, H]</returns>
    public Tensor forward(Tensor hidden) => tanh(dense.call(hidden[.., 0]));
}

/// <summary>
/// Hugging Face <c>BertModel</c>: embeddings, encoder and pooler, with the same state-dict keys
/// (<c>embeddings.*</c>, <c>encoder.layer.N.*</c>, <c>pooler.*</c>).
/// Extension points: <see cref="BertInput.InputsEmbeds"/>, <see cref="BertInput.Prefix"/>, <see cref="LinearHosts"/>.
/// </summary>
public sealed class BertModel : nn.Module<BertInput, BertOutputs>
{
    private readonly BertEmbeddings embeddings;
    private readonly BertEncoder encoder;
    private readonly BertPooler pooler;

    public BertConfig Config { get; }

    public BertModel(BertConfig config)
        : base(nameof(BertModel))
    {
        config.Validate("config");
        Config = config;
        embeddings = new BertEmbeddings(config);
        encoder = new BertEncoder(config);
        pooler = new BertPooler(config);
        RegisterComponents();
    }

    public BertEmbeddings Embeddings => embeddings;
    public BertPooler Pooler => pooler;

    /// <summary>Makes every attention layer twice differentiable (or fused again): see <see cref="BertSelfAttention.TwiceDifferentiable"/>.</summary>
    public void SetTwiceDifferentiable(bool on)
    {
        foreach (var a in modules().OfType<BertSelfAttention>())
            a.TwiceDifferentiable = on;
    }

    public BertEncoder Encoder => encoder;

    /// <summary>Every block with replaceable linear children, keyed by its state-dict path (e.g. <c>encoder.layer.0.attention.self</c>).</summary>
    public IEnumerable<(string Path, ILinearHost Host)> LinearHosts()
    {
        for (int i = 0; i < encoder.Layers.Count; i++)
        {
            var l = encoder.Layers[i];
            string p = $"encoder.layer.{i}";
            yield return ($"{p}.attention.self", l.Attention.Self);
            yield return ($"{p}.attention.output", l.Attention.Output);
            yield return ($"{p}.intermediate", l.Intermediate);
            yield return ($"{p}.output", l.Output);
        }
        yield return ("pooler", pooler);
    }

    public override BertOutputs forward(BertInput input)
    {
        if ((input.InputIds is null) == (input.InputsEmbeds is null))
            throw new ArgumentException("give exactly one of InputIds and InputsEmbeds");
        var words = input.InputsEmbeds ?? embeddings.Embed(input.InputIds!); // [B, S, H]
        long b = words.shape[0],
            s = words.shape[1];
        long p = input.Prefix is { Count: > 0 } ? input.Prefix[0].Key.shape[2] : 0;
        if (input.Prefix is not null && input.Prefix.Count != encoder.Layers.Count)
            throw new ArgumentException($"prefix has {input.Prefix.Count} layers, the model {encoder.Layers.Count}");
        if (p + s > Config.MaxPositionEmbeddings)
            throw new ArgumentException(
                $"sequence of {s} tokens (+{p} prefix) exceeds max_position_embeddings {Config.MaxPositionEmbeddings}"
            );

        var device = words.device;
        var tokenTypes = input.TokenTypeIds ?? zeros(b, s, ScalarType.Int64, device); // [B, S]
        var positions = input.PositionIds ?? arange(p, p + s, ScalarType.Int64, device).unsqueeze(0); // [1, S]
        var mask = input.AttentionMask ?? ones(b, p + s, ScalarType.Int64, device); // [B, P + S]
        if (mask.shape[1] != p + s)
            throw new ArgumentException($"attention mask covers {mask.shape[1]} positions, expected prefix {p} + sequence {s}");

        // 0 where attended, the dtype's minimum where masked: [B, 1, 1, P + S]
        var additive = (1 - mask.to(words.dtype)).unsqueeze(1).unsqueeze(2) * finfo(words.dtype).min;

        var hidden = embeddings.forward(words, tokenTypes, positions); // [B, S, H]
        var layers = input.OutputHiddenStates || input.HiddenStatesSink is not null ? new List<Tensor>() : null;
        hidden = encoder.forward(hidden, additive, input.Prefix, input.PooledOnly, layers); // [B, S, H] ([B, 1, H] pooled only)
        if (layers is not null)
            input.HiddenStatesSink?.Invoke(layers);
        return new BertOutputs(hidden, pooler.forward(hidden)) { HiddenStates = layers }; // [B, H]
    }
}
