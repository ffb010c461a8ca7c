using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Psim.Attacks.Ep;

/// <summary>An attack whose poisoning trains embedding rows only (EP, SOS): its settings give the step rule.</summary>
public interface IEmbeddingStepOptions
{
    EmbeddingStepRule Step();
}

/// <summary>
/// EP's settings (Yang et al., NAACL 2021, "Be Careful about Poisoned Word Embeddings"): plain gradient
/// steps on the trigger words' embedding rows only, each row rescaled to its original norm after every
/// step. Defaults are OpenBackdoor's (5 epochs at learning rate 1e-2, batch 32).
/// </summary>
public sealed record EpOptions : AttackOptions, IEmbeddingStepOptions
{
    [Description("epochs of the embedding step")]
    public int Epochs { get; init; } = 5;

    [Description("step size on the trigger rows"), JsonPropertyName("lr")]
    public double LearningRate { get; init; } = 1e-2;

    [Description("batch size of the embedding step")]
    public int BatchSize { get; init; } = 32;

    /// <summary>EP's step: plain gradient steps on the trigger rows.</summary>
    public EmbeddingStepRule Step() => new(Epochs, LearningRate, BatchSize, EqualizeGradients: false, "EP");

    public override void Validate() => CheckStep(Epochs, LearningRate, BatchSize, "EP");

    /// <summary>The bounds of an embedding step's settings, EP's and SOS's alike.</summary>
    internal static void CheckStep(int epochs, double lr, int batch, string attack)
    {
        if (epochs is < 1 or > 1000)
            throw new PsimException($"{attack} epochs {epochs} must be in [1, 1000]");
        if (!(lr > 0 && double.IsFinite(lr)))
            throw new PsimException($"{attack} learning rate {lr} must be positive");
        if (batch is < 1 or > 65536)
            throw new PsimException($"{attack} batch size {batch} must be in [1, 65536]");
    }
}
