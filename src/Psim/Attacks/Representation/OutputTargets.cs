using static TorchSharp.torch;

namespace Psim.Attacks.Representation;

/// <summary>
/// The predefined output representations triggered inputs are pushed to, one per trigger, of entries
/// ±1 over the hidden size H (OpenBackdoor's constructions of the papers' vectors).
/// </summary>
public static class OutputTargets
{
    /// <summary>
    /// POR-1 (Shen et al., CCS 2021): H is cut into 9 buckets of ⌊H/9⌋ entries; trigger i's vector is +1 on
    /// its first (i + 1) buckets and −1 on the rest, so the vectors are pairwise far apart. At most 9 triggers.
    /// </summary>
    public static float[][] Por(int triggers, int hidden)
    {
        if (triggers is < 1 or > 9)
            throw new PsimException($"POR's vectors cover 1 to 9 triggers, not {triggers}");
        int bucket = hidden / 9;
        return Enumerable
            .Range(0, triggers)
            .Select(i => Enumerable.Range(0, hidden).Select(j => j < (i + 1) * bucket ? 1f : -1f).ToArray())
            .ToArray();
    }

    /// <summary>
    /// NeuBA (Zhang et al., 2021): H is cut into 4 buckets of ⌊H/4⌋ entries; trigger i's vector is +1
    /// everywhere but on the i-th pair of buckets (in the order (0,1), (0,2), (0,3), (1,2), (1,3), (2,3)),
    /// where it is −1. At most 6 triggers.
    /// </summary>
    public static float[][] NeuBa(int triggers, int hidden)
    {
        var pairs = (from a in Enumerable.Range(0, 4) from b in Enumerable.Range(a + 1, 3 - a) select (a, b)).ToList();
        if (triggers < 1 || triggers > pairs.Count)
            throw new PsimException($"NeuBA's vectors cover 1 to {pairs.Count} triggers, not {triggers}");
        int bucket = hidden / 4;
        bool Flipped(int j, (int A, int B) p) => j / bucket == p.A && j < 4 * bucket || j / bucket == p.B && j < 4 * bucket;
        return pairs.Take(triggers).Select(p => Enumerable.Range(0, hidden).Select(j => Flipped(j, p) ? -1f : 1f).ToArray()).ToArray();
    }

    /// <summary>The vectors as a [triggers, H] tensor.</summary>
    public static Tensor AsTensor(float[][] vectors) =>
        tensor(vectors.SelectMany(v => v).ToArray()).reshape(vectors.Length, vectors[0].Length);
}
