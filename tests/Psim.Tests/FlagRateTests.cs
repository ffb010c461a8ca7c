using Psim.Defense.Detection;
using Psim.Defense.Psim;

namespace Psim.Tests;

/// <summary>The live flag rate against the calibrated FRR: an exact binomial tail, the parting rule, the expected rate a threshold promises, the window.</summary>
public sealed class FlagRateTests
{
    /// <summary>P(X ≥ k) summed term by term with exact binomial coefficients (small n only).</summary>
    private static double Brute(int n, int k, double p)
    {
        double sum = 0;
        for (int j = k; j <= n; j++)
        {
            double c = 1;
            for (int i = 1; i <= j; i++)
                c = c * (n - j + i) / i;
            sum += c * Math.Pow(p, j) * Math.Pow(1 - p, n - j);
        }
        return sum;
    }

    [Theory]
    [InlineData(20, 5, 0.1)] // above the mode: summed upwards
    [InlineData(20, 1, 0.1)] // below it: one minus the lower tail
    [InlineData(30, 12, 0.4)]
    [InlineData(50, 0, 0.3)]
    [InlineData(50, 50, 0.3)]
    public void The_upper_tail_is_the_exact_binomial_sum(int n, int k, double p) =>
        Assert.Equal(Brute(n, k, p), FlagRate.UpperTail(n, k, p), 1e-12);

    [Fact]
    public void A_far_higher_rate_parts_and_a_rate_near_the_calibrated_one_does_not()
    {
        var o = new FlagRateOptions();
        var far = FlagRate.Check(1000, 180, 0.01, o); // 18% of another domain's text against a 1% FRR
        Assert.True(far.Parted);
        Assert.StartsWith("warning: 180 of 1,000 inputs flagged (18.00%)", far.Describe());
        Assert.False(FlagRate.Check(1000, 14, 0.01, o).Parted); // 1.4%: noise
        Assert.False(FlagRate.Check(50, 2, 0.01, o).Parted); // twice the rate, but 2 of 50 is not evidence (p ≈ 0.09)
        Assert.True(FlagRate.Check(5000, 150, 0.01, o).Parted); // 3% of 5,000 is
        var none = FlagRate.Check(1000, 900, null, o);
        Assert.False(none.Parted);
        Assert.Contains("not calibrated", none.Describe());
    }

    [Fact]
    public void The_expected_rate_is_the_measured_calibration_frr_floored_at_one_row()
    {
        var t = new ThresholdChoice
        {
            How = ThresholdMode.Calibrated,
            TargetFrr = 0.01,
            CalibrationFrr = 0,
            CalibrationRows = 500,
        };
        Assert.Equal(1.0 / 500, FlagRate.Expected(t));
        Assert.Equal(0.012, FlagRate.Expected(t with { CalibrationFrr = 0.012 }));
        Assert.Equal(0.01, FlagRate.Expected(t with { CalibrationFrr = null, CalibrationRows = null }));
        Assert.Null(FlagRate.Expected(new ThresholdChoice())); // fixed 0.7: nothing promised
    }

    [Fact]
    public void The_monitor_counts_only_its_window()
    {
        var m = new FlagRateMonitor(0.01, new FlagRateOptions { Window = 100 });
        m.Record(Enumerable.Repeat(true, 50));
        m.Record(Enumerable.Repeat(false, 100)); // the 50 flags leave the window
        Assert.Equal((100, 0), (m.Check().Inputs, m.Check().Flagged));
        m.Record(Enumerable.Repeat(true, 30));
        var c = m.Check();
        Assert.Equal((100, 30), (c.Inputs, c.Flagged));
        Assert.True(c.Parted);
    }
}
