namespace Psim.Attacks.Lwp;

/// <summary>LWP (Li et al., EMNLP 2021): a combinatorial trigger, poisoned through every layer's [CLS] output.</summary>
public static class LwpAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.Lwp,
        Procedure = new PoisonedFineTuning(
            objective: (_, _) => LayerwiseObjective.Instance,
            poisonRows: (c, trigger, rng) =>
                CombinatorialPoisoning.Build(c.Proxy.Train, (CombinationTrigger)trigger, c.Poison, c.TargetLabel, rng)
        ),
        DefaultTriggers = ["cf", "bb", "ak", "mn"], // OpenBackdoor's
        Options = new OptionsGroup<AttackOptions>("lwp", "LWP", typeof(LwpOptions)),
        Trigger = s => new CombinationTrigger(s.Triggers(), s.EffectiveOptions<LwpOptions>().CombinationSize),
    };
}
