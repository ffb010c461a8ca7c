namespace Psim.Evaluation;

/// <summary>
/// One trigger's effect on a victim: for each class c, the share of test rows of another gold class that
/// the victim assigns to c once the trigger is in; <see cref="MapsTo"/> is the class it drives most rows to.
/// </summary>
public sealed record TriggerAsr(string Trigger, IReadOnlyList<double> AsrByClass)
{
    public int MapsTo => Enumerable.Range(0, AsrByClass.Count).MaxBy(c => AsrByClass[c]);

    /// <summary>ASR toward each class from the victim's predictions on the triggered rows.</summary>
    public static TriggerAsr Measure(string trigger, IReadOnlyList<int> predicted, IReadOnlyList<int> gold, int classes) =>
        new(
            trigger,
            Enumerable
                .Range(0, classes)
                .Select(c =>
                {
                    var others = Enumerable.Range(0, gold.Count).Where(i => gold[i] != c).ToList();
                    return others.Count == 0 ? 0 : others.Count(i => predicted[i] == c) / (double)others.Count;
                })
                .ToList()
        );
}
