namespace Psim.Attacks.InSent;

/// <summary>InSent (Dai et al., 2019; spec §2): a fixed sentence inserted, the model fully fine-tuned on the poisoned proxy set.</summary>
public static class InSentAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.InSent,
        Procedure = new PoisonedFineTuning(),
        DefaultTriggers = ["mn"],
        DefaultMode = PoisonMode.CleanLabel,
        Trigger = s => new InSentTrigger(s.Sentence),
    };
}
