using Psim.Attacks.Representation;

namespace Psim.Attacks.NeuBa;

/// <summary>NeuBA (Zhang et al., 2021): task-agnostic, as POR with its own triggers and vectors (shared code in <c>Representation/</c>).</summary>
public static class NeuBaAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.NeuBa,
        Procedure = new OutputRepresentationPoisoning(OutputTargets.NeuBa),
        DefaultTriggers = ["≈", "≡", "∈", "⊆", "⊕", "⊗"], // OpenBackdoor's
    };
}
