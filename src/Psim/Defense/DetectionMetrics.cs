namespace Psim.Defense;

/// <summary>
/// Detection quality of a score-and-threshold detector, with poisoned inputs as the positive class.
/// FRR (false rejection rate) = clean inputs flagged / clean inputs; FAR (false acceptance rate) =
/// poisoned inputs missed / poisoned inputs. Precision, recall (= 1 − FAR) and F1 of the flag;
/// AUROC of the raw score (ties count one half).
/// </summary>
public sealed record DetectionMetrics(
    double Frr,
    double Far,
    double Precision,
    double Recall,
    double F1,
    double Auroc,
    int Clean,
    int Poisoned
)
{
    public static DetectionMetrics Compute(IReadOnlyList<double> cleanScores, IReadOnlyList<double> poisonedScores, double threshold)
    {
        if (cleanScores.Count == 0 || poisonedScores.Count == 0)
            throw new ArgumentException("need clean and poisoned scores");
        int fp = cleanScores.Count(s => s > threshold);
        int tp = poisonedScores.Count(s => s > threshold);
        int fn = poisonedScores.Count - tp;
        double frr = fp / (double)cleanScores.Count;
        double far = fn / (double)poisonedScores.Count;
        double precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
        double recall = tp / (double)poisonedScores.Count;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new DetectionMetrics(
            frr,
            far,
            precision,
            recall,
            f1,
            ComputeAuroc(cleanScores, poisonedScores),
            cleanScores.Count,
            poisonedScores.Count
        );
    }

    /// <summary>P(score of a poisoned input &gt; score of a clean one), by ranks (Mann–Whitney), ties counted one half.</summary>
    public static double ComputeAuroc(IReadOnlyList<double> negatives, IReadOnlyList<double> positives)
    {
        var all = negatives.Select(s => (s, pos: false)).Concat(positives.Select(s => (s, pos: true))).OrderBy(t => t.s).ToArray();
        double rankSumPos = 0;
        for (int i = 0; i < all.Length; )
        {
            int j = i;
            while (j < all.Length && all[j].s == all[i].s)
                j++;
            double avgRank = (i + 1 + j) / 2.0; // ranks i+1 .. j
            for (int k = i; k < j; k++)
                if (all[k].pos)
                    rankSumPos += avgRank;
            i = j;
        }
        double nPos = positives.Count,
            nNeg = negatives.Count;
        return (rankSumPos - nPos * (nPos + 1) / 2) / (nPos * nNeg);
    }
}
