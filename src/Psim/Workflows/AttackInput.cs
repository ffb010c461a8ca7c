using Psim.Attacks;
using Psim.Data;

namespace Psim.Workflows;

/// <summary>The attack a run builds or measures: its kind and trigger, the label it forces, and (SynAttack) the paraphrased test file.</summary>
public sealed record AttackInput
{
    public required AttackSpec Spec { get; init; }
    public int TargetLabel { get; init; }

    /// <summary>SynAttack: the paraphrased ASR test file (null: test_synattack in the data folder).</summary>
    public string? PoisonedTestFile { get; init; }

    public string Name => Spec.Name;

    /// <summary>The rows ASR is measured on (spec §5) and the file they came from; <paramref name="seed"/> (the run's) places the triggers.</summary>
    public (IReadOnlyList<Example> Rows, string Source) TestSet(TaskData data, long seed) =>
        AttackTestSet.Build(Spec, data, TargetLabel, seed, PoisonedTestFile);
}
