using System.ComponentModel;
using Psim.Defense.Psim;

namespace Psim.Defense.Detection;

/// <summary>
/// When a live flag rate has parted from the rate the threshold was calibrated for: at least <see cref="Factor"/> times
/// that rate, and a one-sided binomial test puts it below <see cref="Alpha"/> under that rate. A detector calibrated
/// on one task's clean dev rows flags far more of another domain's clean text than its FRR (docs/findings.md), so a
/// rate that parts means triggered inputs, or inputs from a domain where the calibration does not hold.
/// </summary>
public sealed record FlagRateOptions : ICheckedOptions
{
    [Description("warn when the flag rate is at least this many times the FRR the threshold was calibrated for")]
    public double Factor { get; init; } = 2;

    [Description("... and a one-sided binomial test gives it a p-value below this under the calibrated FRR")]
    public double Alpha { get; init; } = 0.001;

    [Description("psim serve: the live flag rate is measured over this many of the latest texts")]
    public int Window { get; init; } = 1000;

    public void Validate()
    {
        if (!(Factor is >= 1 and <= 1e6))
            throw new PsimException($"flag-rate factor {Factor} must be in [1, 1e6]");
        if (!(Alpha is > 0 and < 1))
            throw new PsimException($"flag-rate alpha {Alpha} must be in (0, 1)");
        if (Window is < 10 or > 10_000_000)
            throw new PsimException($"flag-rate window {Window} must be in [10, 10000000]");
    }
}

/// <summary>A flag rate against the calibrated one: <see cref="Expected"/> is null when the threshold was not calibrated (nothing to compare with).</summary>
public sealed record FlagRateCheck(int Inputs, int Flagged, double Rate, double? Expected, double? PValue, bool Parted)
{
    /// <summary>One line for a person: the rate, what it was calibrated for, and what a parting means.</summary>
    public string Describe()
    {
        var rate = $"{Flagged:N0} of {Inputs:N0} inputs flagged ({Rate:P2})";
        if (Expected is not double e)
            return $"{rate}; the threshold was not calibrated on clean rows, so there is no expected flag rate to compare with";
        if (!Parted)
            return $"{rate}, in line with the {e:P2} FRR the threshold was calibrated for";
        return $"warning: {rate}, far above the {e:P2} FRR the threshold was calibrated for (binomial p {(PValue < 1e-15 ? "< 1e-15" : $"= {PValue:G3}")}): "
            + "either many inputs are triggered, or they come from another domain than the calibration rows, where that FRR does not hold "
            + "(calibrate on clean rows of this domain: psim detector calibrate)";
    }
}

public static class FlagRate
{
    /// <summary>
    /// The flag rate the threshold promises on clean in-domain inputs: the FRR measured on the calibration rows (an FRR
    /// of 0 on n rows is taken as 1/n), the target FRR where none was measured; null for a threshold not calibrated.
    /// </summary>
    public static double? Expected(ThresholdChoice t)
    {
        if (t.How != ThresholdMode.Calibrated)
            return null;
        if (t.CalibrationFrr is double frr)
            return t.CalibrationRows is int n ? Expected(frr, n) : frr;
        return t.TargetFrr;
    }

    /// <summary>The flag rate an FRR measured on <paramref name="rows"/> calibration rows promises: that FRR, or 1/n where it is lower (n rows cannot show less).</summary>
    public static double Expected(double calibrationFrr, int rows) => rows > 0 ? Math.Max(calibrationFrr, 1.0 / rows) : calibrationFrr;

    public static FlagRateCheck Check(int inputs, int flagged, double? expected, FlagRateOptions o)
    {
        if (inputs < 0 || flagged < 0 || flagged > inputs)
            throw new ArgumentOutOfRangeException(nameof(flagged), $"{flagged} flagged of {inputs} inputs");
        double rate = inputs == 0 ? 0 : (double)flagged / inputs;
        if (expected is not double e || inputs == 0)
            return new FlagRateCheck(inputs, flagged, rate, expected, null, false);
        double p = UpperTail(inputs, flagged, e);
        return new FlagRateCheck(inputs, flagged, rate, e, p, rate >= o.Factor * e && p < o.Alpha);
    }

    /// <summary>P(X ≥ k) for X ~ Binomial(n, p), exact (summed in the direction in which the terms fall).</summary>
    public static double UpperTail(int n, int k, double p)
    {
        if (k <= 0)
            return 1;
        if (k > n)
            return 0;
        if (p <= 0)
            return 0;
        if (p >= 1)
            return 1;
        if (k > n * p)
            return SumFrom(n, k, p, up: true);
        return Math.Clamp(1 - SumFrom(n, k - 1, p, up: false), 0, 1);
    }

    /// <summary>Σ pmf(j) for j from <paramref name="k"/> up to n (or down to 0), the terms falling away from the mode.</summary>
    private static double SumFrom(int n, int k, double p, bool up)
    {
        double logPmf = LogChoose(n, k) + k * Math.Log(p) + (n - k) * double.LogP1(-p);
        double odds = p / (1 - p),
            term = 1,
            sum = 0;
        for (int j = k; up ? j <= n : j >= 0; j += up ? 1 : -1)
        {
            sum += term;
            term *= up ? (n - j) / (j + 1.0) * odds : j / ((n - j + 1.0) * odds);
            if (term < 1e-17 * sum)
                break;
        }
        return Math.Min(1, Math.Exp(logPmf) * sum);
    }

    private static double LogChoose(int n, int k)
    {
        k = Math.Min(k, n - k);
        double s = 0;
        for (int i = 1; i <= k; i++)
            s += Math.Log((n - k + i) / (double)i);
        return s;
    }
}

/// <summary>The live flag rate of a service over its latest texts (a ring of <see cref="FlagRateOptions.Window"/>); thread-safe.</summary>
public sealed class FlagRateMonitor(double? expected, FlagRateOptions o)
{
    private readonly bool[] _ring = new bool[o.Window];
    private readonly Lock _lock = new();
    private int _next,
        _count,
        _flagged;

    public double? Expected => expected;

    public void Record(IEnumerable<bool> flags)
    {
        lock (_lock)
            foreach (var f in flags)
            {
                if (_count == _ring.Length)
                    _flagged -= _ring[_next] ? 1 : 0;
                else
                    _count++;
                _ring[_next] = f;
                _flagged += f ? 1 : 0;
                _next = (_next + 1) % _ring.Length;
            }
    }

    public FlagRateCheck Check()
    {
        lock (_lock)
            return FlagRate.Check(_count, _flagged, expected, o);
    }
}
