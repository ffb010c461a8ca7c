namespace Psim.Training;

/// <summary>
/// Rows of mixed lengths (a served micro-batch: whatever requests arrived together) cut into groups of similar
/// length, so that a group padded to its longest row wastes little: offline scoring gets this by sorting the whole
/// data set, a server only has the batch at hand. Each group is one forward pass, and a pass has a fixed cost of
/// its own, so cutting is worth it only while the padding it saves outweighs that cost.
/// </summary>
public static class PaddingGroups
{
    /// <summary>
    /// Row indices in groups, shortest rows first, that minimise the estimated work
    /// Σ over groups (<paramref name="passCostTokens"/> + rows × longest): an exact dynamic programme over the rows
    /// in length order (a best cut is always between neighbours in that order), at most <paramref name="maxRows"/>
    /// rows a group.
    /// </summary>
    /// <param name="passCostTokens">the fixed cost of one forward pass, in padded tokens (measured: docs/benchmarks.md)</param>
    public static List<int[]> Of(IReadOnlyList<int> lengths, double passCostTokens, int maxRows)
    {
        if (passCostTokens < 0)
            throw new ArgumentOutOfRangeException(nameof(passCostTokens), "0 or more");
        if (maxRows < 1)
            throw new ArgumentOutOfRangeException(nameof(maxRows), "at least 1");
        var order = Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ThenBy(i => i).ToArray();
        int n = order.Length;
        var best = new double[n + 1]; // best[j]: least cost of the first j rows (in length order)
        var cut = new int[n + 1]; // where the last group of that best starts
        for (int j = 1; j <= n; j++)
        {
            best[j] = double.PositiveInfinity;
            long longest = Math.Max(1, lengths[order[j - 1]]);
            for (int i = Math.Max(0, j - maxRows); i < j; i++)
            {
                double cost = best[i] + passCostTokens + (j - i) * longest;
                if (cost < best[j])
                    (best[j], cut[j]) = (cost, i);
            }
        }
        var groups = new List<int[]>();
        for (int j = n; j > 0; j = cut[j])
            groups.Add(order[cut[j]..j]);
        groups.Reverse();
        return groups;
    }
}
