using System.ComponentModel;
using Psim.Defense.Detection;

namespace Psim.Defense.Strip;

/// <summary>STRIP's settings (Gao et al.): how many perturbed copies of each input the victim classifies (the paper's 20).</summary>
public sealed record StripOptions : ICheckedOptions
{
    [Description("perturbed copies per input")]
    public int Copies { get; init; } = 20;

    public void Validate()
    {
        if (Copies is < 1 or > 1000)
            throw new PsimException($"STRIP copies {Copies} must be in [1, 1000]");
    }
}
