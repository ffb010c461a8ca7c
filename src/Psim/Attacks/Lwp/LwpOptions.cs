using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Psim.Attacks.Lwp;

/// <summary>LWP's settings (Li et al., EMNLP 2021): how many of the trigger words make one combination (OpenBackdoor's default 2).</summary>
public sealed record LwpOptions : AttackOptions
{
    [Description("how many trigger words make one combination"), JsonPropertyName("combination")]
    public int CombinationSize { get; init; } = 2;

    public override void Validate()
    {
        if (CombinationSize is < 2 or > 16)
            throw new PsimException($"LWP combination size {CombinationSize} must be in [2, 16]");
    }
}
