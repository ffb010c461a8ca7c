using Psim.Data;
using Psim.Runtime;

namespace Psim.Attacks;

/// <summary>
/// The rows on which ASR is measured (spec §5): the test rows whose gold label is not the target,
/// with the trigger inserted (seeded), or for SynAttack the pre-paraphrased <c>test_synattack</c> file.
/// </summary>
public static class AttackTestSet
{
    public static (IReadOnlyList<Example> Rows, string Source) Build(
        AttackSpec attack,
        TaskData data,
        int target,
        long seed,
        string? paraphrasedFile = null
    )
    {
        if (attack.Kind.IsTaskAgnostic())
            throw new InvalidOperationException($"{attack.Name} is task-agnostic: its rows are one set per trigger (TriggerSweep)");
        if (attack.CreateTrigger() is { } trigger)
        {
            var file = data.RequireFile("test");
            var test = data.Load("test");
            var rng = Seeds.Random(seed, $"attack/test/{attack.Name}");
            var rows = test.Where(e => e.Label != target).Select(e => e with { Text = trigger.Apply(e.Text, rng).Text }).ToList();
            if (rows.Count == 0)
                throw new PsimException($"{file}: no test rows with a label other than the target {target}");
            return (rows, file);
        }
        var path = paraphrasedFile
            ?? data.FindFile("test_synattack")
            ?? throw new PsimException(
                $"{data.Directory}: SynAttack needs pre-paraphrased test rows (test_synattack.json); give one with --poisoned-test"
            );
        var para = data.ReadTestCopy(path, target).Where(e => e.Label != target).ToList();
        if (para.Count == 0)
            throw new PsimException($"{path}: no rows with a label other than the target {target}");
        return (para, path);
    }
}
