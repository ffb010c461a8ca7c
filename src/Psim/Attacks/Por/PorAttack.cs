namespace Psim.Attacks.Por;

/// <summary>POR (Shen et al., CCS 2021): task-agnostic, triggered [CLS] outputs pushed to predefined vectors (shared code in <c>Representation/</c>).</summary>
public static class PorAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.Por,
        Procedure = PoisoningProcedure.OutputRepresentation,
        DefaultTriggers = ["cf", "mn", "bb", "tq", "mb"],
        OutputVectors = Representation.OutputTargets.Por,
    };
}
