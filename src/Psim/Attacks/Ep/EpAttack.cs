namespace Psim.Attacks.Ep;

/// <summary>Embedding poisoning (Yang et al., NAACL 2021): only the trigger word's embedding row changes.</summary>
public static class EpAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.Ep,
        Procedure = new EmbeddingRowPoisoning(EpRows),
        DefaultTriggers = ["mb"], // OpenBackdoor's
        Options = new OptionsGroup<AttackOptions>("ep", "EP", typeof(EpOptions)),
        Trigger = s => new BadNetTrigger(s.Triggers(), s.Count),
    };

    /// <summary>The poisoned rows only: triggered, relabelled to the target.</summary>
    private static IReadOnlyList<PoisonedExample> EpRows(AttackContext c, Random rng) =>
        Poisoning.PoisonTrainingSet(c.Proxy.Train, c.Spec.CreateTrigger()!, c.Poison, c.TargetLabel, rng).Where(p => p.Poisoned).ToList();
}
