using System.ComponentModel;
using Psim.Defense.Detection;

namespace Psim.Defense.Rap;

/// <summary>
/// RAP's settings (Yang et al., EMNLP 2021). The perturbation word's row is trained so that inserting the word
/// lowers the protected label's probability on clean inputs by between <see cref="MinDrop"/> and
/// <see cref="MaxDrop"/> (the paper's probability range −0.1 … −0.3); <see cref="Scale"/> weighs the "not enough
/// drop" term. Epochs, learning rate and batch size are the paper's and OpenBackdoor's (5, 1e-2, 32). The word:
/// the paper's "cf" is a trigger of several of psim's attacks (inserting it would fire their backdoor and
/// train the attacker's own row), so psim's default is another rare wordpiece, "jj"; a defender does not know
/// the trigger, and should pick a word the vocabulary has but text rarely holds.
/// </summary>
public sealed record RapOptions : ICheckedOptions
{
    [Description("the rare word put in front of inputs (one wordpiece; pick one the attacker is unlikely to use)")]
    public string Word { get; init; } = "jj";

    [Description("epochs of training the word's row")]
    public int Epochs { get; init; } = 5;

    [Description("step size of the word's row (the paper's 1e-2)")]
    public double LearningRate { get; init; } = 1e-2;

    [Description("batch size of training the word's row")]
    public int BatchSize { get; init; } = 32;

    [Description("the least drop of the protected label's probability the word is trained to cause on clean inputs")]
    public double MinDrop { get; init; } = 0.1;

    [Description("the most drop of the protected label's probability the word is trained to cause on clean inputs")]
    public double MaxDrop { get; init; } = 0.3;

    [Description("weight of the \"not enough drop\" term")]
    public double Scale { get; init; } = 1;

    /// <summary>
    /// At most this many clean training rows of the protected label construct the perturbation (cost: 2 forward and
    /// backward passes per row and epoch). The paper uses the protected rows of a clean held-out set (SST-2's dev: about 440).
    /// </summary>
    [Description("at most this many clean training rows of the target label train the row")]
    public int TrainRows { get; init; } = 500;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Word) || Word.Any(char.IsWhiteSpace))
            throw new PsimException($"RAP word '{Word}' must be one word");
        if (Epochs is < 1 or > 1000)
            throw new PsimException($"RAP epochs {Epochs} must be in [1, 1000]");
        if (!(LearningRate > 0 && double.IsFinite(LearningRate)))
            throw new PsimException($"RAP learning rate {LearningRate} must be positive");
        if (BatchSize is < 1 or > 65536)
            throw new PsimException($"RAP batch size {BatchSize} must be in [1, 65536]");
        if (!(MinDrop >= 0 && MaxDrop > MinDrop && MaxDrop <= 1))
            throw new PsimException($"RAP's drop range {MinDrop} … {MaxDrop} must satisfy 0 ≤ min < max ≤ 1");
        if (!(Scale > 0 && double.IsFinite(Scale)))
            throw new PsimException($"RAP scale {Scale} must be positive");
        if (TrainRows < 1)
            throw new PsimException($"RAP train rows {TrainRows} must be positive");
    }
}
