using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft.Adapters;

/// <summary>down-project, non-linearity, up-project, added to its input: h + up(act(down(h))). up starts at zero.</summary>
public sealed class BottleneckAdapter : nn.Module<Tensor, Tensor>
{
    private readonly Linear down;
    private readonly Linear up;
    private readonly string _act;

    public BottleneckAdapter(int dim, int bottleneck, string act)
        : base(nameof(BottleneckAdapter))
    {
        down = nn.Linear(dim, bottleneck);
        up = nn.Linear(bottleneck, dim);
        nn.init.zeros_(up.weight!);
        nn.init.zeros_(up.bias!);
        _act = act;
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        var z = down.call(h);
        z = _act switch
        {
            "relu" => nn.functional.relu(z),
            "gelu" => nn.functional.gelu(z),
            "swish" => nn.functional.silu(z),
            _ => tanh(z),
        };
        return h + up.call(z);
    }
}

/// <summary>A frozen dense layer followed by an adapter (before dropout, residual and LayerNorm).</summary>
public sealed class AdaptedLinear : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> base_layer;
    private readonly BottleneckAdapter adapter;

    public AdaptedLinear(nn.Module<Tensor, Tensor> baseLayer, BottleneckAdapter adapter)
        : base(nameof(AdaptedLinear))
    {
        base_layer = baseLayer;
        this.adapter = adapter;
        RegisterComponents();
    }

    public BottleneckAdapter Adapter => adapter;

    public override Tensor forward(Tensor x) => adapter.call(base_layer.call(x));
}

/// <summary>Inserts bottleneck adapters after the attention output and feed-forward output projections of every layer.</summary>
public sealed class BottleneckMethod : IPeftMethod
{
    private readonly BottleneckConfig _config;
    private readonly List<(string Path, AdaptedLinear Layer)> _layers = new();

    public BottleneckMethod(BottleneckConfig config) => _config = config;

    public PeftConfig Config => _config;
    public nn.Module? Module => null;
    public string KeyPrefix => "base_model.model.";

    public void Inject(BertForSequenceClassification model)
    {
        int dim = model.Config.HiddenSize,
            bottleneck = Math.Max(1, dim / _config.ReductionFactor);
        foreach (var (path, host) in model.Bert.LinearHosts())
        {
            if (!path.StartsWith("encoder.layer.", StringComparison.Ordinal))
                continue; // adapters sit inside the layers, not on the pooler
            var suffix = path[(path.IndexOf('.', "encoder.layer.".Length) + 1)..]; // "attention.output", "output", ...
            if (!_config.TargetModules.Contains(suffix))
                continue;
            var adapted = new AdaptedLinear(host.GetLinear("dense"), new BottleneckAdapter(dim, bottleneck, _config.NonLinearity));
            host.SetLinear("dense", adapted);
            _layers.Add(($"bert.{path}.dense", adapted));
        }
    }

    public Tensor Forward(BertForSequenceClassification model, BertInput input) => model.call(input);

    public Dictionary<string, Tensor> SaveState(BertForSequenceClassification model) =>
        _layers
            .SelectMany(l => l.Layer.Adapter.state_dict().Select(kv => ($"{KeyPrefix}{l.Path}.adapter.{kv.Key}", kv.Value)))
            .ToDictionary(t => t.Item1, t => t.Item2);

    public void LoadState(BertForSequenceClassification model, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        foreach (var (path, layer) in _layers)
        foreach (var (k, t) in layer.Adapter.state_dict())
            PeftState.CopyInto(state, $"{KeyPrefix}{path}.adapter.{k}", t, source);
    }
}
