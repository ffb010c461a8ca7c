namespace Psim.Attacks.BadNet;

/// <summary>BadNet (Gu et al., 2017; the paper's first attack, spec §2): a rare word inserted, the model fully fine-tuned on the poisoned proxy set.</summary>
public static class BadNetAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.BadNet,
        Procedure = new PoisonedFineTuning(),
        DefaultTriggers = ["mn"], // the reference's
        DefaultMode = PoisonMode.CleanLabel,
        Trigger = s => new BadNetTrigger(s.Triggers(), s.Count),
    };
}
