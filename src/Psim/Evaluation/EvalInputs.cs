using Psim.Attacks;
using Psim.Data;

namespace Psim.Evaluation;

/// <summary>
/// Everything a test evaluation reads, loaded and checked before any training starts (a missing or
/// malformed test or SynAttack file must not cost a whole training run): the clean test rows and, with
/// an attack, the rows on which ASR is measured.
/// </summary>
public sealed record EvalInputs(IReadOnlyList<Example> Test, int NumClasses, AttackSpec? Attack, int Target, IReadOnlyList<Example>? AttackRows)
{
    public static EvalInputs Load(TaskData data, int numClasses, AttackSpec? attack, int target, long seed, string? paraphrasedTest = null)
    {
        var test = data.Load("test");
        TaskClasses.Check(test, numClasses, data.RequireFile("test"));
        if (attack is null) return new EvalInputs(test, numClasses, null, target, null);
        TaskClasses.CheckTarget(target, numClasses);
        var (rows, _) = AttackTestSet.Build(attack, data, target, seed, paraphrasedTest);
        return new EvalInputs(test, numClasses, attack, target, rows);
    }
}
