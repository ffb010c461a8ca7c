using Psim.Models;
using Psim.Peft.Adapters;
using Psim.Peft.Lora;
using Psim.Peft.PrefixTuning;
using Psim.Peft.PromptTuning;
using Psim.Peft.PTuning;

namespace Psim.Peft;

/// <summary>Creates PEFT methods with the reference settings (spec §3) and attaches them to a classifier.</summary>
public static class PeftFactory
{
    /// <summary>The reference configuration of a method for a model of this shape.</summary>
    public static PeftConfig DefaultConfig(TuningMethod method, BertConfig model, string? baseModel = null) =>
        method switch
        {
            TuningMethod.Lora => new LoraConfig { BaseModelNameOrPath = baseModel },
            TuningMethod.Prompt => new PromptTuningConfig
            {
                BaseModelNameOrPath = baseModel,
                TokenDim = model.HiddenSize,
                NumAttentionHeads = model.NumAttentionHeads,
                NumLayers = model.NumHiddenLayers,
            },
            TuningMethod.PTuning => new PTuningConfig
            {
                BaseModelNameOrPath = baseModel,
                TokenDim = model.HiddenSize,
                NumAttentionHeads = model.NumAttentionHeads,
                NumLayers = model.NumHiddenLayers,
            },
            TuningMethod.Prefix => new PrefixTuningConfig
            {
                BaseModelNameOrPath = baseModel,
                TokenDim = model.HiddenSize,
                NumAttentionHeads = model.NumAttentionHeads,
                NumLayers = model.NumHiddenLayers,
            },
            TuningMethod.Adapter => new BottleneckConfig { BaseModelNameOrPath = baseModel },
            _ => throw new PsimException(
                $"{method.Name()} is not a PEFT method (one of {string.Join(", ", TuningMethods.Peft.Select(m => m.Name()))})"
            ),
        };

    /// <summary>Freezes the model, attaches the method and a trainable head copy.</summary>
    public static PeftClassifier Attach(BertForSequenceClassification model, PeftConfig config)
    {
        config.Validate("PEFT config");
        if (
            config is PromptLearningConfig p
            && (
                p.TokenDim != model.Config.HiddenSize
                || p.NumLayers != model.Config.NumHiddenLayers
                || p.NumAttentionHeads != model.Config.NumAttentionHeads
            )
        )
            throw new PsimException(
                $"the {config.Method} config is for width {p.TokenDim}, {p.NumLayers} layers, {p.NumAttentionHeads} heads; the model has {model.Config.HiddenSize}, {model.Config.NumHiddenLayers}, {model.Config.NumAttentionHeads}"
            );
        IPeftMethod method = config switch
        {
            LoraConfig c => new LoraMethod(c),
            PromptTuningConfig c => new PromptTuningMethod(c),
            PTuningConfig c => new PTuningMethod(c),
            PrefixTuningConfig c => new PrefixTuningMethod(c),
            BottleneckConfig c => new BottleneckMethod(c),
            _ => throw new PsimException($"unsupported PEFT config {config.PeftType}"),
        };
        return PeftClassifier.Attach(model, method, m =>
        {
            if (method is LoraMethod lora)
                lora.Inject(m);
            if (method is BottleneckMethod adapter)
                adapter.Inject(m);
        });
    }
}
