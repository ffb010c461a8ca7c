namespace Psim.Attacks.Ep;

/// <summary>
/// EP's settings (Yang et al., NAACL 2021, "Be Careful about Poisoned Word Embeddings"): plain gradient
/// steps on the trigger words' embedding rows only, each row rescaled to its original norm after every
/// step. Defaults are OpenBackdoor's (5 epochs at learning rate 1e-2, batch 32).
/// </summary>
public sealed record EpOptions
{
    public int Epochs { get; init; } = 5;
    public double LearningRate { get; init; } = 1e-2;
    public int BatchSize { get; init; } = 32;

    /// <summary>EP's step: plain gradient steps on the trigger rows.</summary>
    public EmbeddingStepRule Step() => new(Epochs, LearningRate, BatchSize, EqualizeGradients: false, "EP");

    public void Validate()
    {
        if (Epochs is < 1 or > 1000) throw new PsimException($"EP epochs {Epochs} must be in [1, 1000]");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new PsimException($"EP learning rate {LearningRate} must be positive");
        if (BatchSize is < 1 or > 65536) throw new PsimException($"EP batch size {BatchSize} must be in [1, 65536]");
    }
}
