namespace Psim.Attacks.Ep;

/// <summary>Embedding poisoning (Yang et al., NAACL 2021): only the trigger word's embedding row changes.</summary>
public static class EpAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.Ep,
        Procedure = PoisoningProcedure.EmbeddingPoisoning,
        DefaultTriggers = ["mb"], // OpenBackdoor's
        Options = new OptionsGroup<AttackOptions>("ep", "EP", typeof(EpOptions)),
        Trigger = s => new BadNetTrigger(s.Triggers(), s.Count),
        // the poisoned rows only: triggered, relabelled to the target
        EmbeddingRows = i => Poisoning.PoisonTrainingSet(i.Train, i.Spec.CreateTrigger()!, i.Poison, i.TargetLabel, i.Rng).Where(p => p.Poisoned).ToList(),
    };
}
