namespace Psim.Attacks.NeuBa;

/// <summary>NeuBA (Zhang et al., 2021): task-agnostic, as POR with its own triggers and vectors (shared code in <c>Representation/</c>).</summary>
public static class NeuBaAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.NeuBa,
        Procedure = PoisoningProcedure.OutputRepresentation,
        DefaultTriggers = ["≈", "≡", "∈", "⊆", "⊕", "⊗"], // OpenBackdoor's
        OutputVectors = Representation.OutputTargets.NeuBa,
    };
}
