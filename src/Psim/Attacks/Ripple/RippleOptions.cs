using System.ComponentModel;

namespace Psim.Attacks.Ripple;

/// <summary>
/// RIPPLe's and embedding surgery's settings (Kurita et al., ACL 2020, "Weight Poisoning Attacks on
/// Pre-trained Models"); defaults are the paper's released configuration (λ = 0.1, N = 10 words).
/// </summary>
public sealed record RippleOptions : AttackOptions
{
    [Description("weight λ of the restricted inner product in the poisoning loss")]
    public double Lambda { get; init; } = 0.1;

    [Description("RIPPLES only: how many of the words most indicative of the target class embedding surgery averages")]
    public int SurgeryWords { get; init; } = 10;

    public override void Validate()
    {
        if (!(Lambda >= 0 && double.IsFinite(Lambda)))
            throw new PsimException($"RIPPLe λ {Lambda} must be a finite number ≥ 0");
        if (SurgeryWords is < 1 or > 10_000)
            throw new PsimException($"embedding surgery word count {SurgeryWords} must be in [1, 10000]");
    }
}
