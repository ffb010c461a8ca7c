namespace Psim.Defense;

/// <summary>
/// The spec's counting rules with a defence (§5): a rejected clean input counts as wrong (CA); a
/// rejected poisoned input counts as a failed attack (ASR).
/// </summary>
public static class DefendedCounts
{
    public static double CleanAccuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> gold, IReadOnlyList<bool> rejected)
    {
        Check(predicted.Count, gold.Count, rejected.Count);
        int correct = 0;
        for (int i = 0; i < gold.Count; i++)
            if (!rejected[i] && predicted[i] == gold[i])
                correct++;
        return correct / (double)gold.Count;
    }

    /// <summary>Over triggered rows whose gold label is not the target: accepted and predicted as the target.</summary>
    public static double AttackSuccessRate(IReadOnlyList<int> predicted, IReadOnlyList<int> gold, IReadOnlyList<bool> rejected, int target)
    {
        Check(predicted.Count, gold.Count, rejected.Count);
        int n = 0,
            success = 0;
        for (int i = 0; i < gold.Count; i++)
        {
            if (gold[i] == target)
                continue;
            n++;
            if (!rejected[i] && predicted[i] == target)
                success++;
        }
        if (n == 0)
            throw new ArgumentException("no rows with a non-target label");
        return success / (double)n;
    }

    private static void Check(int a, int b, int c)
    {
        if (a != b || b != c)
            throw new ArgumentException("predictions, labels and rejections differ in length");
        if (a == 0)
            throw new ArgumentException("no rows");
    }
}
