using Psim.Data;

namespace Psim.Attacks.Representation;

/// <summary>
/// The test rows of a task-agnostic attack (POR, NeuBA): each trigger is inserted at the front of every
/// test row (as the papers' and OpenBackdoor's code insert it), one set per trigger. Which class a trigger
/// drives a victim to is the victim's: it is measured, not set (see <see cref="Evaluation.TriggerAsr"/>).
/// </summary>
public static class TriggerSweep
{
    public static IReadOnlyList<(string Trigger, IReadOnlyList<Example> Rows)> Build(
        IReadOnlyList<string> triggers,
        IReadOnlyList<Example> test
    ) => triggers.Select(t => (t, (IReadOnlyList<Example>)test.Select(e => e with { Text = Prefix(t, e.Text) }).ToList())).ToList();

    /// <summary>The text with <paramref name="trigger"/> as its first word.</summary>
    public static string Prefix(string trigger, string text) => text.Length == 0 ? trigger : $"{trigger} {text}";
}
