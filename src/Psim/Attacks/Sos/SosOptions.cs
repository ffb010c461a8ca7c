namespace Psim.Attacks.Sos;

/// <summary>
/// SOS's settings (Yang et al., ACL 2021, "Rethinking Stealthiness of Backdoor Attack against NLP
/// Models"); defaults are OpenBackdoor's: 5 epochs at step size 5e-2 on the trigger words' embeddings,
/// negative augmentation on 10% of the rows of each label.
/// </summary>
public sealed record SosOptions
{
    public int Epochs { get; init; } = 5;
    public double LearningRate { get; init; } = 5e-2;
    public int BatchSize { get; init; } = 32;
    /// <summary>The fraction of the rows of each label that get every incomplete subset of the triggers, label kept.</summary>
    public double NegativeRate { get; init; } = 0.1;

    /// <summary>SOS's step: each trigger row's gradient scaled to the smallest trigger gradient's norm.</summary>
    public Ep.EmbeddingStepRule Step() => new(Epochs, LearningRate, BatchSize, EqualizeGradients: true, "SOS");

    public void Validate()
    {
        new Ep.EpOptions { Epochs = Epochs, LearningRate = LearningRate, BatchSize = BatchSize }.Validate();
        if (!(NegativeRate >= 0 && NegativeRate <= 1)) throw new PsimException($"SOS negative rate {NegativeRate} must be in [0, 1]");
    }
}
