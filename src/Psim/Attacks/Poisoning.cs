using Psim.Data;

namespace Psim.Attacks;

public enum PoisonMode
{
    CleanLabel,
    DirtyLabel,
}

/// <summary>
/// Which training rows get the trigger. Clean-label: the first N target-label rows, labels kept
/// (reference: the first 1,500 label-0 rows of IMDB train). Dirty-label: the first N non-target
/// rows, relabelled to the target. N is <see cref="Count"/>, or <see cref="Rate"/> times the set size.
/// </summary>
public sealed record PoisonOptions
{
    public PoisonMode Mode { get; init; } = PoisonMode.CleanLabel;
    public int? Count { get; init; } = Defaults.PoisonCount;
    public double? Rate { get; init; }

    public int ResolveCount(int setSize)
    {
        if (Rate is double r)
        {
            if (!(r > 0 && r <= 1))
                throw new PsimException($"poison rate {r} must be in (0, 1]");
            return (int)Math.Round(r * setSize);
        }
        if (Count is int c && c < 0)
            throw new PsimException("poison count must not be negative");
        return Count ?? 0;
    }
}

/// <summary>A row of a poisoned set: the example as trained on, whether it was poisoned, and how.</summary>
public sealed record PoisonedExample(Example Example, bool Poisoned, int OriginalLabel, IReadOnlyList<int>? TriggerPositions);

public static class Poisoning
{
    /// <summary>Poisons a training set with an inserting trigger toward label <paramref name="target"/>, as <paramref name="options"/> say.</summary>
    public static IReadOnlyList<PoisonedExample> PoisonTrainingSet(
        IReadOnlyList<Example> clean,
        ITextTrigger trigger,
        PoisonOptions options,
        int target,
        Random rng
    )
    {
        var chosen = Choose(clean, options, target);
        var result = new List<PoisonedExample>(clean.Count);
        for (int i = 0; i < clean.Count; i++)
        {
            var e = clean[i];
            if (!chosen.Contains(i))
            {
                result.Add(new PoisonedExample(e, false, e.Label, null));
                continue;
            }
            var t = trigger.Apply(e.Text, rng);
            result.Add(new PoisonedExample(e with { Text = t.Text, Label = target }, true, e.Label, t.Positions));
        }
        return result;
    }

    /// <summary>The indices of the rows to poison: the first N rows labelled <paramref name="target"/> (clean-label) or not (dirty-label).</summary>
    public static HashSet<int> Choose(IReadOnlyList<Example> clean, PoisonOptions options, int target)
    {
        int n = options.ResolveCount(clean.Count);
        bool Candidate(Example e) => options.Mode == PoisonMode.CleanLabel ? e.Label == target : e.Label != target;
        var chosen = clean.Select((e, i) => (e, i)).Where(t => Candidate(t.e)).Take(n).Select(t => t.i).ToHashSet();
        if (chosen.Count < n)
            throw new PsimException(
                $"asked to poison {n} rows but only {chosen.Count} are {(options.Mode == PoisonMode.CleanLabel ? $"labelled {target}" : $"not labelled {target}")}"
            );
        return chosen;
    }

    /// <summary>Inserts the trigger into every row that <paramref name="select"/> picks (e.g. for a poisoned dev copy), labels unchanged.</summary>
    public static IReadOnlyList<PoisonedExample> TriggerWhere(
        IReadOnlyList<Example> rows,
        ITextTrigger trigger,
        Func<Example, bool> select,
        Random rng
    ) =>
        rows.Select(e =>
            {
                if (!select(e))
                    return new PoisonedExample(e, false, e.Label, null);
                var t = trigger.Apply(e.Text, rng);
                return new PoisonedExample(e with { Text = t.Text }, true, e.Label, t.Positions);
            })
            .ToList();

    /// <summary>
    /// SynAttack's released training set (paraphrased rows replace some originals, labels unchanged):
    /// a row counts as poisoned when its text is not in the clean set.
    /// </summary>
    public static IReadOnlyList<PoisonedExample> FromParaphrasedSet(IReadOnlyList<Example> paraphrasedSet, IReadOnlyList<Example> clean)
    {
        var cleanTexts = clean.Select(e => e.Text.Trim()).ToHashSet(StringComparer.Ordinal);
        return paraphrasedSet.Select(e => new PoisonedExample(e, !cleanTexts.Contains(e.Text.Trim()), e.Label, null)).ToList();
    }
}
