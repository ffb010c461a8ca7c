using System.Text.RegularExpressions;
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

    private readonly Func<string, bool> _isTarget;
    private readonly IReadOnlyList<(ModulePattern Pattern, int Value)> _ranks;
    private readonly IReadOnlyList<(ModulePattern Pattern, double Value)> _alphas;

    public LoraMethod(LoraConfig config)
    {
        _config = config;
        _isTarget = config.TargetModules.Matcher(Source);
        _ranks = LoraConfig.Patterns(config.RankPattern, Source, "rank_pattern");
        _alphas = LoraConfig.Patterns(config.AlphaPattern, Source, "alpha_pattern");
    }

    private const string Source = "the LoRA config";

    public PeftConfig Config => _config;
    public nn.Module? Module => null;
    public string KeyPrefix => "base_model.model.";
    public IReadOnlyList<(string Path, LoraLinear Layer)> Layers => _layers;

    /// <summary>
    /// Wraps every linear module peft would target (see <see cref="TargetModules.Matcher"/>, then
    /// layers_to_transform), each with its own rank and alpha from rank_pattern / alpha_pattern.
    /// </summary>
    public void Inject(BertForSequenceClassification model)
    {
        if (_isTarget("classifier"))
            throw new PsimException(
                $"LoRA target_modules ({_config.TargetModules}) include the classifier, which psim trains and saves whole (modules_to_save)"
            );
        var candidates = model
            .Bert.LinearHosts()
            .SelectMany(h => h.Host.LinearNames.Select(n => (Host: h.Host, Name: n, Key: $"bert.{h.Path}.{n}")))
            .ToList();
        var targets = candidates.Where(c => _isTarget(c.Key) && InLayers(c.Key)).ToList();
        if (targets.Count == 0)
            throw new PsimException(
                $"LoRA target_modules ({_config.TargetModules}) match no linear layer of this model; it has {string.Join(", ", candidates.Select(c => c.Name).Distinct().Order())} (e.g. {candidates[0].Key})"
            );
        foreach (var (host, name, key) in targets)
        {
            if (host.GetLinear(name) is not Linear linear)
                throw new PsimException($"{key} is already wrapped");
            int r = PatternValue(_ranks, key) ?? _config.R;
            double alpha = PatternValue(_alphas, key) ?? _config.LoraAlpha;
            var lora = new LoraLinear(linear, r, _config.Scaling(r, alpha), _config.LoraDropout);
            host.SetLinear(name, lora);
            _layers.Add((key, lora));
        }
    }

    /// <summary>peft's get_pattern_key: the value of the first pattern p with the module name matching <c>(.*\.)?(p)$</c>.</summary>
    private static T? PatternValue<T>(IReadOnlyList<(ModulePattern Pattern, T Value)> patterns, string key)
        where T : struct
    {
        foreach (var (pattern, value) in patterns)
            if (pattern.IsMatch(key))
                return value;
        return null;
    }

    /// <summary>layers_to_transform: the module's layer index (the number after ".layer.") must be listed.</summary>
    private bool InLayers(string key)
    {
        if (_config.LayersToTransform is not { } layers)
            return true;
        var m = Regex.Match(key, @"^.*\.[^.]*\.(\d+)\.");
        return m.Success && layers.Layers.Contains(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
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
