namespace Psim.Defense.Guard;

/// <summary>
/// How unusual a score is for clean input: the upper-tail p-value of a detector's score against its scores on held-out
/// clean rows, (1 + #{clean ≥ s}) / (n + 1) (a conformal p-value: uniform over clean inputs), and beyond the highest
/// clean score an exponential tail, 1/(n + 1) · exp(−(s − max) / β), β the mean excess of the highest
/// <see cref="GuardOptions.TailShare"/> of clean scores over the lowest of them (at least 1/1,000 of the highest clean
/// score's magnitude, or of 1), so that inputs past every clean one stay ordered; <see cref="Surprise"/> is −ln p,
/// computed in log space so that a score far past every clean one stays finite.
/// </summary>
public sealed class TailPValue
{
    private readonly double[] _sorted; // ascending
    public double TailScale { get; }

    public TailPValue(IReadOnlyList<double> clean, double tailShare)
    {
        if (clean.Count < 2)
            throw new PsimException($"a clean p-value needs at least 2 clean scores, not {clean.Count}");
        if (clean.Any(s => !double.IsFinite(s)))
            throw new PsimException("a detector gave a non-finite score on clean dev");
        _sorted = clean.Order().ToArray();
        int k = Math.Max(2, (int)Math.Ceiling(tailShare * _sorted.Length));
        var top = _sorted[^k..];
        double beta = top.Average(s => s - top[0]);
        TailScale = Math.Max(beta, 1e-3 * Math.Max(1, Math.Abs(_sorted[^1])));
    }

    /// <summary>The p-value of a new input's score.</summary>
    public double Of(double score)
    {
        if (!double.IsFinite(score))
            throw new PsimException($"a detector gave the non-finite score {score}");
        int atLeast = _sorted.Length - LowerBound(score);
        return atLeast > 0 ? (1.0 + atLeast) / (_sorted.Length + 1) : Math.Exp(-(score - _sorted[^1]) / TailScale) / (_sorted.Length + 1);
    }

    /// <summary>−ln of <see cref="Of"/>, without underflow past the highest clean score.</summary>
    public double Surprise(double score)
    {
        if (!double.IsFinite(score))
            throw new PsimException($"a detector gave the non-finite score {score}");
        return score > _sorted[^1] ? (score - _sorted[^1]) / TailScale + Math.Log(_sorted.Length + 1) : -Math.Log(Of(score));
    }

    /// <summary>The p-value of one of the clean scores themselves, left out of its own reference: #{clean ≥ s} / n.</summary>
    public double OfClean(double cleanScore) => (double)(_sorted.Length - LowerBound(cleanScore)) / _sorted.Length;

    /// <summary>The first index whose score is at least <paramref name="s"/>.</summary>
    private int LowerBound(double s)
    {
        int lo = 0,
            hi = _sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (_sorted[mid] < s)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }
}
