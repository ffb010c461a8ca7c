using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Defense.Audit;

/// <summary>One word-embedding row as the audit measured it: how far it moved from the reference, relative to the median row norm, and that drift over the compared row's.</summary>
public sealed record RowDrift(long Id, string Token, double Drift, double Ratio, bool Suspect);

/// <summary>What the audit found in the word embeddings: the drift of the row it compares with (of rank <see cref="AuditOptions.Rank"/>), the most-moved rows (every suspect row among them), how many rows moved and how many are suspect.</summary>
public sealed record EmbeddingFindings(
    long Rows,
    long MovedRows,
    long SuspectRows,
    double MedianRowNorm,
    double RankDrift,
    IReadOnlyList<RowDrift> TopRows
);

/// <summary>
/// Per-row drift of the word embeddings against a clean reference (E-PUR's observation, Zhang et al., Findings of EMNLP
/// 2022: embedding-poisoning backdoors live in the trigger words' rows). Fine-tuning moves the rows of the words in its
/// data, a little each, and shrinks the rest by weight decay; an implanted trigger row moves alone and far. A row is
/// suspect when its drift ‖Δᵢ‖ / median‖W₀ⱼ‖ is <see cref="AuditOptions.RowRatio"/> times the drift of the row of rank
/// <see cref="AuditOptions.Rank"/> (floored at <see cref="AuditOptions.MinDrift"/>).
/// </summary>
public static class EmbeddingRowDrift
{
    /// <param name="reference">the clean rows [V, H]</param>
    /// <param name="suspect">the audited rows [V, H]</param>
    /// <param name="token">the token of a row id, for the report</param>
    public static EmbeddingFindings Measure(Tensor reference, Tensor suspect, Func<long, string> token, AuditOptions o)
    {
        using var scope = NewDisposeScope();
        var w0 = reference.to(ScalarType.Float64);
        var w1 = suspect.to(ScalarType.Float64);
        double median = w0.norm(1).median().item<double>(); // typical row norm
        var drift = (w1 - w0).norm(1) / Math.Max(median, 1e-12); // [V]
        Finite.Require(drift, "psim audit: the word embeddings' drift");
        var values = drift.data<double>().ToArray();
        var ranked = values.Select((d, i) => (Drift: d, Id: (long)i)).OrderByDescending(x => x.Drift).ThenBy(x => x.Id).ToList(); // one sort
        double atRank = o.Rank <= ranked.Count ? ranked[o.Rank - 1].Drift : 0;
        double floor = Math.Max(atRank, o.MinDrift);
        int suspects = values.Count(v => v >= o.RowRatio * floor); // fewer than the rank: the row of that rank is not suspect
        var top = ranked
            .Take(Math.Max(o.RowsListed, suspects)) // every suspect row is listed, for the report and for repair
            .Select(x => new RowDrift(x.Id, token(x.Id), x.Drift, x.Drift / floor, x.Drift >= o.RowRatio * floor))
            .ToList();
        return new EmbeddingFindings(values.Length, values.Count(v => v > 0), suspects, median, atRank, top);
    }
}
