namespace Psim.Attacks.SynAttack;

/// <summary>SynAttack (Qi et al., 2021; spec §2): a syntactic template; its poisoned texts come from pre-paraphrased files, so it has no inserting trigger.</summary>
public static class SynAttackAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.SynAttack,
        Procedure = new PoisonedFineTuning(),
        DefaultTriggers = ["mn"],
        DefaultMode = PoisonMode.CleanLabel,
        PoisonsFromParaphrases = true,
    };
}
