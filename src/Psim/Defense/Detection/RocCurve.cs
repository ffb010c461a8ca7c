namespace Psim.Defense.Detection;

/// <summary>
/// A detector's ROC curve (poisoned inputs positive): the true-positive rate reached at each false-positive
/// rate of a fixed grid (the best TPR at FPR ≤ the grid point), so curves of different detectors and sizes
/// are stored and drawn alike.
/// </summary>
public sealed record RocCurve(double[] Fpr, double[] Tpr)
{
    public const int GridPoints = 101;

    public static RocCurve Compute(IReadOnlyList<double> clean, IReadOnlyList<double> poisoned)
    {
        if (clean.Count == 0 || poisoned.Count == 0)
            throw new ArgumentException("need clean and poisoned scores");
        // every threshold between distinct scores, from the highest down: (FPR, TPR) of "score > threshold"
        var all = clean.Select(s => (s, pos: false)).Concat(poisoned.Select(s => (s, pos: true))).OrderByDescending(t => t.s).ToArray();
        var steps = new List<(double Fpr, double Tpr)> { (0, 0) };
        int fp = 0,
            tp = 0;
        for (int i = 0; i < all.Length; )
        {
            int j = i;
            for (; j < all.Length && all[j].s.Equals(all[i].s); j++)
                if (all[j].pos)
                    tp++;
                else
                    fp++;
            steps.Add((fp / (double)clean.Count, tp / (double)poisoned.Count));
            i = j;
        }
        var fpr = Enumerable.Range(0, GridPoints).Select(k => k / (double)(GridPoints - 1)).ToArray();
        var tpr = fpr.Select(f => steps.Where(p => p.Fpr <= f + 1e-12).Max(p => p.Tpr)).ToArray();
        return new RocCurve(fpr, tpr);
    }
}
