namespace Psim.Training;

/// <summary>
/// Rows of mixed lengths (a served micro-batch: whatever requests arrived together) cut into groups of similar
/// length, so that a group padded to its longest row wastes little: offline scoring gets this by sorting the whole
/// data set, a server only has the batch at hand.
/// </summary>
public static class PaddingGroups
{
    /// <summary>
    /// Row indices in groups, shortest rows first: a group grows, in length order, while its padded size
    /// (rows × longest) stays within <paramref name="maxPaddingRatio"/> × its real tokens and it has fewer than
    /// <paramref name="maxRows"/> rows.
    /// </summary>
    public static List<int[]> Of(IReadOnlyList<int> lengths, double maxPaddingRatio, int maxRows)
    {
        if (maxPaddingRatio < 1) throw new ArgumentOutOfRangeException(nameof(maxPaddingRatio), "at least 1");
        var order = Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]).ToArray();
        var groups = new List<int[]>();
        var group = new List<int>();
        long real = 0;
        foreach (int i in order)
        {
            long len = Math.Max(1, lengths[i]);
            if (group.Count > 0 && (group.Count >= maxRows || (group.Count + 1) * len > maxPaddingRatio * (real + len)))
            {
                groups.Add([.. group]);
                group.Clear();
                real = 0;
            }
            group.Add(i);
            real += len;
        }
        if (group.Count > 0) groups.Add([.. group]);
        return groups;
    }
}
