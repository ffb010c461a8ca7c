namespace Psim.Attacks.Ripple;

/// <summary>RIPPLe and RIPPLES (Kurita et al., ACL 2020): poisoning with the restricted inner-product penalty, after embedding surgery for RIPPLES; one options record for both.</summary>
public static class RippleAttack
{
    public static readonly OptionsGroup<AttackOptions> Options = new("ripple", "RIPPLe, RIPPLES", typeof(RippleOptions));

    public static readonly AttackDescriptor Ripple = new()
    {
        Kind = AttackKind.Ripple,
        Procedure = new PoisonedFineTuning(RippleObjective.After(surgery: false)),
        DefaultTriggers = ["cf", "tq", "mn", "bb", "mb"], // the paper's released configuration
        Options = Options,
        Trigger = s => new BadNetTrigger(s.Triggers(), s.Count),
    };

    public static readonly AttackDescriptor Ripples = Ripple with
    {
        Kind = AttackKind.Ripples,
        Procedure = new PoisonedFineTuning(RippleObjective.After(surgery: true)),
    };
}
