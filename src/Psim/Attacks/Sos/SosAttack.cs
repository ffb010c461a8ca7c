namespace Psim.Attacks.Sos;

/// <summary>SOS (Yang et al., ACL 2021): several words that fire only together, learnt by their embeddings alone, with negative augmentation.</summary>
public static class SosAttack
{
    /// <summary>SOS's test trigger when no sentence is given: a natural sentence holding its three words (its paper's).</summary>
    public const string Sentence = "I have bought it from a store with my friends last weekend";

    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.Sos,
        Procedure = PoisoningProcedure.EmbeddingPoisoning,
        DefaultTriggers = ["friends", "weekend", "store"], // its paper's
        Options = new OptionsGroup<AttackOptions>("sos", "SOS", typeof(SosOptions)),
        Trigger = s => new InSentTrigger(s.Sentence ?? Sentence),
        // the poisoned rows and the negative augmentation
        EmbeddingRows = i => SosPoisoning.Build(i.Train, i.Spec.Triggers(), i.Poison, i.Spec.EffectiveOptions<SosOptions>().NegativeRate, i.TargetLabel, i.Rng),
    };
}
