using System.ComponentModel;
using Psim.Defense.Detection;

namespace Psim.Defense.Onion;

/// <summary>ONION's settings: the order of the n-gram Kneser-Ney language model that stands in for its GPT-2, and the extra rows of a bar sweep (reported beside the protocol's row, never as ONION's result).</summary>
public sealed record OnionOptions : ICheckedOptions
{
    [Description("order of the n-gram Kneser-Ney language model that stands in for GPT-2")]
    public int NgramOrder { get; init; } = 3;

    [Description("extra rows, one bar per fraction of clean dev words to remove (e.g. 0.01 0.05 0.2)")]
    public IReadOnlyList<double> RemovalRates { get; init; } = [];

    [Description("extra rows at these bars instead (the reference's GPT-2 sweep is -300 -270 ... -30)")]
    public IReadOnlyList<double>? Bars { get; init; }

    public void Validate()
    {
        if (NgramOrder is < 1 or > 8)
            throw new PsimException($"ONION n-gram order {NgramOrder} must be in [1, 8]");
        if (RemovalRates.Any(x => x is < 0 or > 1))
            throw new PsimException($"ONION removal rates are fractions between 0 and 1, not {string.Join(" ", RemovalRates)}");
        if (Bars is not null && Bars.Any(x => !double.IsFinite(x)))
            throw new PsimException("ONION bars must be finite numbers");
    }
}
