using Psim.Data;

namespace Psim.Attacks.Sos;

/// <summary>
/// SOS's training rows (Yang et al., ACL 2021; OpenBackdoor's poisoner): the chosen rows (as
/// <see cref="PoisonOptions"/> choose them) with every trigger word inserted, labelled with the target; and
/// negative augmentation: for the first <see cref="SosOptions.NegativeRate"/> of the rows of each label,
/// one copy per incomplete subset (every word but one), keeping the true label, so that only all the words
/// together fire. Only these rows train the trigger embeddings.
/// </summary>
public static class SosPoisoning
{
    public static IReadOnlyList<PoisonedExample> Build(
        IReadOnlyList<Example> clean,
        IReadOnlyList<string> words,
        PoisonOptions options,
        double negativeRate,
        int target,
        Random rng
    )
    {
        var chosen = Poisoning.Choose(clean, options, target);
        var result = new List<PoisonedExample>();
        foreach (var i in chosen.Order())
        {
            var t = CombinationTrigger.Insert(clean[i].Text, words, rng);
            result.Add(new PoisonedExample(clean[i] with { Text = t.Text, Label = target }, true, clean[i].Label, t.Positions));
        }
        var subsets = words.Select(w => words.Where(x => x != w).ToList()).ToList();
        foreach (var group in clean.GroupBy(e => e.Label == target))
        {
            var rows = group.ToList();
            foreach (var e in rows.Take((int)(negativeRate * rows.Count)))
            foreach (var subset in subsets)
            {
                var t = CombinationTrigger.Insert(e.Text, subset, rng);
                result.Add(new PoisonedExample(e with { Text = t.Text }, false, e.Label, t.Positions));
            }
        }
        return result;
    }
}
