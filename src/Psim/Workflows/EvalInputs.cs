using Psim.Attacks;
using Psim.Attacks.Representation;
using Psim.Data;

namespace Psim.Workflows;

/// <summary>
/// Everything a test evaluation reads, loaded and checked before any training starts (a missing or
/// malformed test or SynAttack file must not cost a whole training run): the clean test rows and, with
/// an attack, the rows on which ASR is measured.
/// </summary>
public sealed record EvalInputs(IReadOnlyList<Example> Test, int NumClasses, AttackInput? Attack, IReadOnlyList<Example>? AttackRows)
{
    /// <summary>A task-agnostic attack: the test rows with each trigger in front (its ASR is measured per trigger).</summary>
    public IReadOnlyList<(string Trigger, IReadOnlyList<Example> Rows)>? TriggerRows { get; init; }

    /// <param name="seed">the run's seed (trigger positions in the attack rows)</param>
    public static EvalInputs Load(TaskData data, int numClasses, AttackInput? attack, long seed)
    {
        var test = data.Load("test");
        TaskClasses.Check(test, numClasses, data.RequireFile("test"));
        if (attack is null)
            return new EvalInputs(test, numClasses, null, null);
        TaskClasses.CheckTarget(attack.TargetLabel, numClasses);
        if (attack.Spec.Kind.IsTaskAgnostic())
            return new EvalInputs(test, numClasses, attack, null) { TriggerRows = TriggerSweep.Build(attack.Spec.Triggers(), test) };
        var (rows, _) = attack.TestSet(data, seed);
        return new EvalInputs(test, numClasses, attack, rows);
    }
}
