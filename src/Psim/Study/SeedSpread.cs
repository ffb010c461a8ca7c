namespace Psim.Study;

/// <summary>
/// One table cell over a study's seeds: the mean, the sample standard deviation (n − 1; 0 for one seed) and how
/// many seeds gave a value. Seeds are independent repetitions: one seed drives a whole chain (poisoning, victim,
/// detector, defences).
/// </summary>
public sealed record SeedSpread(double Mean, double Sd, int N)
{
    /// <summary>The spread of the values that are there (null and NaN are left out); null when none is.</summary>
    public static SeedSpread? Of(IEnumerable<double?> values)
    {
        var v = values.Where(x => x is double d && !double.IsNaN(d)).Select(x => x!.Value).ToList();
        if (v.Count == 0)
            return null;
        double mean = v.Average();
        double sd = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0;
        return new SeedSpread(mean, sd, v.Count);
    }

    /// <summary>"mean ± sd" scaled and formatted; "(n=k)" added when fewer than <paramref name="seeds"/> seeds gave a value.</summary>
    public string Format(int seeds, double scale = 100, string format = "F1") =>
        (N > 1 ? $"{(scale * Mean).ToString(format)} ± {(scale * Sd).ToString(format)}" : (scale * Mean).ToString(format))
        + (N < seeds ? $" (n={N})" : "");
}
