using Psim.Data;

namespace Psim.Defense.Psim;

/// <summary>
/// PSIM's training labels (spec §4 step 3): every label replaced, once and before training, by a
/// label drawn uniformly from the K classes. The draw is fixed for the whole run.
/// </summary>
public static class RandomRelabel
{
    public static IReadOnlyList<Example> Apply(IReadOnlyList<Example> rows, int numClasses, Random rng)
    {
        if (numClasses < 2)
            throw new PsimException("random relabelling needs at least 2 classes");
        return rows.Select(e => e with { Label = rng.Next(numClasses) }).ToList();
    }
}
