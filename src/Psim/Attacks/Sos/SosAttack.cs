using Psim.Attacks.Ep;

namespace Psim.Attacks.Sos;

/// <summary>SOS (Yang et al., ACL 2021): several words that fire only together, learnt by their embeddings alone, with negative augmentation.</summary>
public static class SosAttack
{
    /// <summary>SOS's test trigger when no sentence is given: a natural sentence holding its three words (its paper's).</summary>
    public const string Sentence = "I have bought it from a store with my friends last weekend";

    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.Sos,
        Procedure = new EmbeddingRowPoisoning(SosRows),
        DefaultTriggers = ["friends", "weekend", "store"], // its paper's
        Options = new OptionsGroup<AttackOptions>("sos", "SOS", typeof(SosOptions)),
        Trigger = s => new InSentTrigger(s.Sentence ?? Sentence),
    };

    /// <summary>The poisoned rows and the negative augmentation.</summary>
    private static IReadOnlyList<PoisonedExample> SosRows(AttackContext c, Random rng) =>
        SosPoisoning.Build(
            c.Proxy.Train,
            c.Spec.Triggers(),
            c.Poison,
            c.Spec.EffectiveOptions<SosOptions>().NegativeRate,
            c.TargetLabel,
            rng
        );
}
