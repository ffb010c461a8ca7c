namespace Psim.Defense;

/// <summary>
/// A threshold set from clean data so that at most a given fraction of it lies beyond: PSIM's τ
/// (confidences above it are flagged), STRIP's entropy bound (below it) and ONION's bars (word
/// suspicion above it is removed) are all this one rank statistic.
/// </summary>
public static class RankThreshold
{
    /// <summary>The score of rank ⌊fraction·n⌋ counted from the highest (the lowest score when that runs past the end): at most that fraction of the scores lie strictly above it.</summary>
    public static double FromTop(IReadOnlyList<double> scores, double fraction) =>
        AtRank(scores.OrderByDescending(s => s).ToArray(), fraction);

    /// <summary>The score of rank ⌊fraction·n⌋ counted from the lowest (the highest score when that runs past the end): at most that fraction of the scores lie strictly below it.</summary>
    public static double FromBottom(IReadOnlyList<double> scores, double fraction) => AtRank(scores.Order().ToArray(), fraction);

    private static double AtRank(double[] sorted, double fraction) =>
        sorted[Math.Min((int)Math.Floor(fraction * sorted.Length), sorted.Length - 1)];
}
