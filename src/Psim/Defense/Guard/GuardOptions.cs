using System.ComponentModel;
using Psim.Defense.Detection;

namespace Psim.Defense.Guard;

/// <summary>
/// The fused guard's settings: the share of clean dev held out (DAN's Gaussians are fitted on the rest; the held-out
/// rows give both scores' clean p-values and the fused threshold), and the share of the highest clean scores that
/// sets how fast a p-value falls beyond the highest clean score. DAN's shrinkage and aggregation are DAN's settings.
/// </summary>
public sealed record GuardOptions : ICheckedOptions
{
    [Description(
        "share of clean dev held out: the clean scores the p-values and the fused threshold come from (DAN's Gaussians are fitted on the rest)"
    )]
    public double HeldOutFraction { get; init; } = 0.5;

    [Description("share of the highest held-out clean scores whose mean excess sets the p-value's exponential tail beyond the highest one")]
    public double TailShare { get; init; } = 0.05;

    public void Validate()
    {
        if (!(HeldOutFraction > 0 && HeldOutFraction < 1))
            throw new PsimException($"guard held-out fraction {HeldOutFraction} must be in (0, 1)");
        if (!(TailShare > 0 && TailShare <= 0.5))
            throw new PsimException($"guard tail share {TailShare} must be in (0, 0.5]");
    }
}
