namespace Psim.Defense.Guard;

/// <summary>
/// Several detectors' scores as one: each score becomes its clean p-value (<see cref="TailPValue"/>), and the fused
/// suspicion is −ln of the smallest, so an input is as suspicious as its most unusual score, whatever that score's
/// scale (PSIM's confidence in [0.5, 1], DAN's distance in standard deviations). The fused threshold is set on the
/// fused scores of the same held-out clean rows (<see cref="CalibrationScores"/>), so the target FRR holds overall,
/// not per detector.
/// </summary>
public sealed class MinPFusion
{
    private readonly TailPValue[] _parts;

    /// <param name="cleanByPart">each detector's scores of the same held-out clean rows, in the same order</param>
    public MinPFusion(IReadOnlyList<IReadOnlyList<double>> cleanByPart, double tailShare)
    {
        if (cleanByPart.Count == 0)
            throw new PsimException("a fused score needs at least one detector");
        int n = cleanByPart[0].Count;
        if (cleanByPart.Any(p => p.Count != n))
            throw new PsimException("the fused detectors must score the same clean rows");
        _parts = cleanByPart.Select(p => new TailPValue(p, tailShare)).ToArray();
        CalibrationScores = Enumerable
            .Range(0, n)
            .Select(i => -Math.Log(cleanByPart.Select((p, j) => _parts[j].OfClean(p[i])).Min()))
            .ToArray();
    }

    /// <summary>The fused scores of the held-out clean rows (each left out of its own p-values): what the threshold is set on.</summary>
    public IReadOnlyList<double> CalibrationScores { get; }

    /// <summary>The fused suspicion of one input from its detectors' scores (in the order of the parts): −ln min_j p_j = max_j −ln p_j.</summary>
    public double Score(IReadOnlyList<double> scores)
    {
        if (scores.Count != _parts.Length)
            throw new ArgumentException($"{scores.Count} scores for {_parts.Length} fused detectors", nameof(scores));
        return scores.Select((s, j) => _parts[j].Surprise(s)).Max();
    }

    /// <summary>The fused suspicion of each input (<paramref name="byPart"/>: each detector's scores of the same inputs).</summary>
    public double[] Score(IReadOnlyList<IReadOnlyList<double>> byPart) =>
        Enumerable.Range(0, byPart[0].Count).Select(i => Score(byPart.Select(p => p[i]).ToArray())).ToArray();
}
