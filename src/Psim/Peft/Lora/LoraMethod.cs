using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft.Lora;

/// <summary>Attaches <see cref="LoraLinear"/> to the target linear children of every layer.</summary>
public sealed class LoraMethod : IPeftMethod
{
    private readonly LoraConfig _config;
    private readonly List<(string Path, LoraLinear Layer)> _layers = new();

    public LoraMethod(LoraConfig config) => _config = config;

    public PeftConfig Config => _config;
    public nn.Module? Module => null;
    public string KeyPrefix => "base_model.model.";
    public IReadOnlyList<(string Path, LoraLinear Layer)> Layers => _layers;

    /// <summary>Replaces every linear child whose name is a target module (e.g. query, value, dense).</summary>
    public void Inject(BertForSequenceClassification model)
    {
        var known = model.Bert.LinearHosts().SelectMany(h => h.Host.LinearNames).ToHashSet();
        var unknown = _config.TargetModules.Where(t => !known.Contains(t)).ToList();
        if (unknown.Count > 0)
            throw new PsimException($"LoRA target module(s) {string.Join(", ", unknown)} not found; this model has {string.Join(", ", known.Order())}");
        foreach (var (path, host) in model.Bert.LinearHosts())
            foreach (var name in host.LinearNames.Where(_config.TargetModules.Contains))
            {
                if (host.GetLinear(name) is not Linear linear) throw new PsimException($"bert.{path}.{name} is already wrapped");
                var lora = new LoraLinear(linear, _config.R, _config.LoraAlpha, _config.LoraDropout);
                host.SetLinear(name, lora);
                _layers.Add(($"bert.{path}.{name}", lora));
            }
    }

    public Tensor Forward(BertForSequenceClassification model, BertInput input) => model.call(input);

    public Dictionary<string, Tensor> SaveState(BertForSequenceClassification model)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (path, l) in _layers)
        {
            d[$"{KeyPrefix}{path}.lora_A.weight"] = l.A;
            d[$"{KeyPrefix}{path}.lora_B.weight"] = l.B;
        }
        return d;
    }

    public void LoadState(BertForSequenceClassification model, IReadOnlyDictionary<string, Tensor> state, string source)
    {
        using var noGrad = no_grad();
        foreach (var (path, l) in _layers)
        {
            PeftState.CopyInto(state, $"{KeyPrefix}{path}.lora_A.weight", l.A, source);
            PeftState.CopyInto(state, $"{KeyPrefix}{path}.lora_B.weight", l.B, source);
        }
    }

    /// <summary>Merges every LoRA layer into its base weight and puts the plain linear layer back.</summary>
    public void MergeAndUnload(BertForSequenceClassification model)
    {
        var byPath = _layers.ToDictionary(l => l.Path, l => l.Layer);
        foreach (var (path, host) in model.Bert.LinearHosts())
            foreach (var name in host.LinearNames)
                if (byPath.TryGetValue($"bert.{path}.{name}", out var lora))
                {
                    lora.Merge();
                    host.SetLinear(name, lora.BaseLayer);
                }
        _layers.Clear();
    }
}
