using System.ComponentModel;

namespace Psim.Defense.Audit;

/// <summary>
/// The model audit's settings: a word-embedding row is suspect when it moved from the reference <see cref="RowRatio"/>
/// times more than the row of rank <see cref="Rank"/> in drift (a fine-tune moves many rows, the rows of its data's
/// words most; an implanted trigger moves a few rows, alone and far; the rank is above any trigger's word count).
/// </summary>
public sealed record AuditOptions : ICheckedOptions
{
    [Description("a row is suspect when its drift is this many times the drift of the row of rank 'rank'")]
    public double RowRatio { get; init; } = 5;

    [Description("the rank (1 = the most-moved row) of the row every row is compared with")]
    public int Rank { get; init; } = 30;

    [Description(
        "the comparison's floor, as a share of the median row norm: where fewer rows moved, a row must move this far times the ratio"
    )]
    public double MinDrift { get; init; } = 0.01;

    [Description("how many of the most-moved rows the report lists")]
    public int RowsListed { get; init; } = 10;

    public void Validate()
    {
        if (!(RowRatio is >= 1 and <= 1e6))
            throw new PsimException($"audit row ratio {RowRatio} must be in [1, 1e6]");
        if (Rank is < 2 or > 100_000)
            throw new PsimException($"audit rank {Rank} must be in [2, 100000]");
        if (!(MinDrift is > 0 and <= 10))
            throw new PsimException($"audit minimum drift {MinDrift} must be in (0, 10]");
        if (RowsListed is < 1 or > 1000)
            throw new PsimException($"audit rows listed {RowsListed} must be in [1, 1000]");
    }
}
