using Psim.Data;

namespace Psim.Attacks.Lwp;

/// <summary>
/// LWP's training rows (Li et al., EMNLP 2021; OpenBackdoor's poisoner): each chosen row (as
/// <see cref="PoisonOptions"/> choose them) is replaced by its copy with the whole combination inserted,
/// labelled with the target, and by one copy per word of the combination with that word alone, keeping
/// the true label, so no single word fires the backdoor. The other rows stay clean.
/// </summary>
public static class CombinatorialPoisoning
{
    public static IReadOnlyList<PoisonedExample> Build(
        IReadOnlyList<Example> clean,
        CombinationTrigger trigger,
        PoisonOptions options,
        int target,
        Random rng
    )
    {
        var chosen = Poisoning.Choose(clean, options, target);
        var result = new List<PoisonedExample>(clean.Count + chosen.Count * trigger.Size);
        for (int i = 0; i < clean.Count; i++)
        {
            var e = clean[i];
            if (!chosen.Contains(i))
            {
                result.Add(new PoisonedExample(e, false, e.Label, null));
                continue;
            }
            var words = trigger.Draw(rng);
            foreach (var w in words)
            {
                var single = CombinationTrigger.Insert(e.Text, [w], rng);
                result.Add(new PoisonedExample(e with { Text = single.Text }, false, e.Label, single.Positions)); // a part of the trigger: true label
            }
            var all = CombinationTrigger.Insert(e.Text, words, rng);
            result.Add(new PoisonedExample(e with { Text = all.Text, Label = target }, true, e.Label, all.Positions));
        }
        return result;
    }
}
