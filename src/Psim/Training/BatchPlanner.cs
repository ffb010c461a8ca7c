namespace Psim.Training;

/// <summary>
/// The order of training rows in an epoch, as batches of row indices. Shuffled from the given
/// random stream; with length bucketing, rows are shuffled, cut into pools of 50 batches, sorted
/// by length inside each pool, batched, and the batches shuffled: little padding, still random.
/// </summary>
public static class BatchPlanner
{
    public static List<int[]> Plan(IReadOnlyList<int> lengths, int batchSize, bool bucketing, Random rng)
    {
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        rng.Shuffle(order);
        var batches = new List<int[]>();
        if (!bucketing)
        {
            for (int i = 0; i < order.Length; i += batchSize)
                batches.Add(order[i..Math.Min(order.Length, i + batchSize)]);
            return batches;
        }
        int pool = batchSize * 50;
        for (int p = 0; p < order.Length; p += pool)
        {
            var sorted = order[p..Math.Min(order.Length, p + pool)].OrderBy(i => lengths[i]).ToArray();
            for (int i = 0; i < sorted.Length; i += batchSize)
                batches.Add(sorted[i..Math.Min(sorted.Length, i + batchSize)]);
        }
        var arr = batches.ToArray();
        rng.Shuffle(arr);
        return arr.ToList();
    }
}
