using Psim.Defense.Detection;

namespace Psim.Defense.Strip;

/// <summary>
/// STRIP for text (Gao et al.): each input is perturbed N times by replacing a fraction of its
/// words with words drawn from clean samples; the victim's prediction entropy, averaged over the
/// copies, stays low when a trigger dominates the prediction. Inputs with mean entropy below the
/// threshold are flagged; the threshold is set on clean dev inputs to a target FRR.
/// </summary>
public sealed class StripPerturbation
{
    private readonly IReadOnlyList<string[]> _donors;
    public int Copies { get; }
    public double ReplaceFraction { get; }

    public StripPerturbation(IEnumerable<string> cleanDonorTexts, int copies, double replaceFraction = 0.5)
    {
        _donors = cleanDonorTexts
            .Select(t => t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length > 0)
            .ToList();
        if (_donors.Count == 0)
            throw new PsimException("STRIP needs clean donor texts");
        if (copies is < 1 or > 1000)
            throw new PsimException($"STRIP copies {copies} (--strip-copies) must be in [1, 1000]");
        if (replaceFraction is <= 0 or > 1)
            throw new PsimException("STRIP replace fraction must be in (0, 1]");
        Copies = copies;
        ReplaceFraction = replaceFraction;
    }

    /// <summary>The perturbed copies of one input: ⌈fraction · n⌉ word positions each take a word of a random donor text.</summary>
    public IReadOnlyList<string> Perturb(string text, Random rng)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var copies = new List<string>(Copies);
        int m = Math.Max(1, (int)Math.Ceiling(ReplaceFraction * words.Length));
        for (int c = 0; c < Copies; c++)
        {
            var copy = (string[])words.Clone();
            var donor = _donors[rng.Next(_donors.Count)];
            var positions = Enumerable.Range(0, words.Length).ToArray();
            rng.Shuffle(positions);
            foreach (var p in positions.Take(m))
                copy[p] = donor[rng.Next(donor.Length)];
            copies.Add(string.Join(' ', copy));
        }
        return copies;
    }

    /// <summary>Shannon entropy (nats) of a probability vector.</summary>
    public static double Entropy(IReadOnlyList<float> p) => -p.Where(v => v > 0).Sum(v => v * Math.Log(v));

    /// <summary>Mean entropy over an input's copies, given the victim's probabilities for each copy.</summary>
    public static double MeanEntropy(IEnumerable<float[]> copyProbabilities) => copyProbabilities.Average(p => Entropy(p));

    /// <summary>τ such that at most the target fraction of clean inputs has entropy below it (flag: entropy &lt; τ).</summary>
    public static double ThresholdForTargetFrr(IReadOnlyList<double> cleanEntropies, double targetFrr)
    {
        if (cleanEntropies.Count == 0)
            throw new PsimException("STRIP calibration needs clean inputs");
        if (targetFrr is < 0 or >= 1)
            throw new PsimException($"target FRR {targetFrr} must be in [0, 1)");
        return RankThreshold.FromBottom(cleanEntropies, targetFrr); // entropies strictly below it are flagged
    }
}
