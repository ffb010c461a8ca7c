namespace Psim.Defense.Psim;

/// <summary>Chooses τ on held-out clean confidences so that the fraction flagged (c &gt; τ) is at most a target FRR.</summary>
public static class ThresholdCalibration
{
    /// <returns>the smallest τ among the scores (or 1) with #{c &gt; τ} ≤ ⌊target · n⌋</returns>
    public static double ForTargetFrr(IReadOnlyList<double> cleanScores, double targetFrr)
    {
        if (cleanScores.Count == 0)
            throw new PsimException("calibration needs clean scores");
        if (!(targetFrr >= 0 && targetFrr < 1))
            throw new PsimException($"target FRR {targetFrr} must be in [0, 1)");
        // flag the ⌊target · n⌋ highest scores: τ = the next score down; ties at τ are not flagged
        return RankThreshold.FromTop(cleanScores, targetFrr);
    }
}
