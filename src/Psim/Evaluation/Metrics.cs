namespace Psim.Evaluation;

/// <summary>The study's two headline numbers (spec §5).</summary>
public static class Metrics
{
    /// <summary>CA: the fraction of rows whose predicted class is the gold label.</summary>
    public static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> gold)
    {
        if (predicted.Count != gold.Count)
            throw new ArgumentException("prediction and label counts differ");
        if (gold.Count == 0)
            throw new ArgumentException("no rows");
        return predicted.Zip(gold).Count(t => t.First == t.Second) / (double)gold.Count;
    }

    /// <summary>Accuracy on the rows of each gold class (per-class recall), indexed by label; null for a class with no rows.</summary>
    public static double?[] ClassAccuracy(IReadOnlyList<int> predicted, IReadOnlyList<int> gold, int numClasses)
    {
        if (predicted.Count != gold.Count)
            throw new ArgumentException("prediction and label counts differ");
        return Enumerable
            .Range(0, numClasses)
            .Select(c =>
            {
                var rows = predicted.Zip(gold).Where(t => t.Second == c).ToList();
                return rows.Count == 0 ? (double?)null : rows.Count(t => t.First == c) / (double)rows.Count;
            })
            .ToArray();
    }

    /// <summary>ASR: of triggered rows whose gold label is not the target, the fraction predicted as the target.</summary>
    public static double AttackSuccessRate(IReadOnlyList<int> predicted, IReadOnlyList<int> gold, int target)
    {
        var rows = predicted.Zip(gold).Where(t => t.Second != target).ToList();
        if (rows.Count == 0)
            throw new ArgumentException("no rows with a non-target label");
        return rows.Count(t => t.First == target) / (double)rows.Count;
    }
}
