using System.ComponentModel;
using Psim.Defense.Detection;

namespace Psim.Defense.Dan;

/// <summary>How DAN combines its per-layer normalised distances: their mean (the official code's documented command) or their maximum.</summary>
public enum DanAggregation
{
    Mean,
    Max,
}

/// <summary>
/// DAN's settings (Chen et al., Findings of EMNLP 2022): the share of clean dev held out for the per-layer
/// normalisation (and the threshold), the covariance shrinkage, and the aggregation over layers. Defaults are
/// the official code's (20% held out, scikit-learn's ShrunkCovariance α = 0.1, mean).
/// </summary>
public sealed record DanOptions : ICheckedOptions
{
    [Description("share of clean dev held out for the per-layer normalisation and the threshold")]
    public double HeldOutFraction { get; init; } = 0.2;

    [Description("covariance shrinkage toward a scaled identity")]
    public double Shrinkage { get; init; } = 0.1;

    [Description("how the per-layer normalised distances combine")]
    public DanAggregation Aggregation { get; init; } = DanAggregation.Mean;

    public void Validate()
    {
        if (!(HeldOutFraction > 0 && HeldOutFraction < 1))
            throw new PsimException($"DAN held-out fraction {HeldOutFraction} must be in (0, 1)");
        if (Shrinkage is < 0 or > 1)
            throw new PsimException($"DAN shrinkage {Shrinkage} must be in [0, 1]");
    }
}
