using System.ComponentModel;

namespace Psim.Defense.Baselines;

/// <summary>ONION's settings: the order of the n-gram Kneser-Ney language model that stands in for its GPT-2.</summary>
public sealed record OnionOptions : ICheckedOptions
{
    [Description("order of the n-gram Kneser-Ney language model that stands in for GPT-2")]
    public int NgramOrder { get; init; } = 3;

    public void Validate()
    {
        if (NgramOrder is < 1 or > 8) throw new PsimException($"ONION n-gram order {NgramOrder} must be in [1, 8]");
    }
}
