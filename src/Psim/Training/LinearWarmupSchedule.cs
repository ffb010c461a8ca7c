namespace Psim.Training;

/// <summary>
/// transformers' <c>get_linear_schedule_with_warmup</c>: the rate rises linearly from 0 over the
/// warm-up steps, then falls linearly to 0 at the last step. Warm-up steps = ceil(ratio × total).
/// </summary>
public sealed class LinearWarmupSchedule
{
    public int TotalSteps { get; }
    public int WarmupSteps { get; }
    public double PeakRate { get; }

    public LinearWarmupSchedule(double peakRate, int totalSteps, double warmupRatio)
    {
        if (totalSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(totalSteps));
        PeakRate = peakRate;
        TotalSteps = totalSteps;
        WarmupSteps = (int)Math.Ceiling(warmupRatio * totalSteps);
    }

    /// <summary>The learning rate for optimizer step <paramref name="step"/> (0-based).</summary>
    public double RateAt(int step)
    {
        if (step < WarmupSteps)
            return PeakRate * step / Math.Max(1, WarmupSteps);
        return PeakRate * Math.Max(0.0, (double)(TotalSteps - step) / Math.Max(1, TotalSteps - WarmupSteps));
    }
}
