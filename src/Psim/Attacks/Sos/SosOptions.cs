using System.ComponentModel;
using System.Text.Json.Serialization;
using Psim.Attacks.Ep;

namespace Psim.Attacks.Sos;

/// <summary>
/// SOS's settings (Yang et al., ACL 2021, "Rethinking Stealthiness of Backdoor Attack against NLP
/// Models"); defaults are OpenBackdoor's: 5 epochs at step size 5e-2 on the trigger words' embeddings,
/// negative augmentation on 10% of the rows of each label.
/// </summary>
public sealed record SosOptions : AttackOptions, IEmbeddingStepOptions
{
    [Description("epochs of the embedding step")]
    public int Epochs { get; init; } = 5;

    [Description("step size on the trigger rows"), JsonPropertyName("lr")]
    public double LearningRate { get; init; } = 5e-2;

    [Description("batch size of the embedding step")]
    public int BatchSize { get; init; } = 32;

    [Description("fraction of each label's rows given every incomplete subset of the triggers, label kept")]
    public double NegativeRate { get; init; } = 0.1;

    /// <summary>SOS's step: each trigger row's gradient scaled to the smallest trigger gradient's norm.</summary>
    public EmbeddingStepRule Step() => new(Epochs, LearningRate, BatchSize, EqualizeGradients: true, "SOS");

    public override void Validate()
    {
        EpOptions.CheckStep(Epochs, LearningRate, BatchSize, "SOS");
        if (!(NegativeRate >= 0 && NegativeRate <= 1))
            throw new PsimException($"SOS negative rate {NegativeRate} must be in [0, 1]");
    }
}
