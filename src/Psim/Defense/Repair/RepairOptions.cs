using System.ComponentModel;

namespace Psim.Defense.Repair;

/// <summary>
/// The repair's settings beyond the audit's: the share of weight entries reset to the clean base at random
/// (<see cref="WeightMixing"/>; 0: the suspect rows alone), and the seed of that draw.
/// </summary>
public sealed record RepairOptions : ICheckedOptions
{
    [Description(
        "share of every encoder weight's entries reset to the clean base at random (Fine-mixing), for a backdoor deeper than the embedding rows; 0: reset the suspect rows alone"
    )]
    public double ResetShare { get; init; }

    [Description("seeds which entries are reset")]
    public long Seed { get; init; } = 1;

    public void Validate()
    {
        if (!(ResetShare is >= 0 and < 1))
            throw new PsimException($"repair reset share {ResetShare} must be in [0, 1)");
    }
}
