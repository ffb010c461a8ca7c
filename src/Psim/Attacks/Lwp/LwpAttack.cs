namespace Psim.Attacks.Lwp;

/// <summary>LWP (Li et al., EMNLP 2021): a combinatorial trigger, poisoned through every layer's [CLS] output.</summary>
public static class LwpAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.Lwp,
        Procedure = PoisoningProcedure.Layerwise,
        DefaultTriggers = ["cf", "bb", "ak", "mn"], // OpenBackdoor's
        Options = new OptionsGroup<AttackOptions>("lwp", "LWP", typeof(LwpOptions)),
        Trigger = s => new CombinationTrigger(s.Triggers(), s.EffectiveOptions<LwpOptions>().CombinationSize),
    };
}
