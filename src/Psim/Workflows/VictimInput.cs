using Psim.IO;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>The model under test: a classifier checkpoint, or a base checkpoint with a PEFT adapter on it.</summary>
public sealed record VictimInput
{
    /// <summary>'minilm' or a Hugging Face folder: the classifier, or the base of <see cref="Adapter"/>.</summary>
    public required string Model { get; init; }

    /// <summary>A peft adapter folder trained on <see cref="Model"/>.</summary>
    public string? Adapter { get; init; }

    /// <summary>Inputs are truncated to this many tokens.</summary>
    public int MaxLength { get; init; } = Defaults.MaxLength;

    /// <summary>Opens the checkpoint and loads the classifier (with its adapter); <paramref name="checkpoint"/> gives the tokenizer and weights.</summary>
    public nn.Module<BertInput, Tensor> Load(Action<string> log, out HfCheckpoint checkpoint)
    {
        checkpoint = ModelResolver.Open(Model, log);
        return VictimLoader.Load(checkpoint, Adapter, log);
    }
}
