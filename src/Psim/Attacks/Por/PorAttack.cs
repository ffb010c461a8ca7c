using Psim.Attacks.Representation;

namespace Psim.Attacks.Por;

/// <summary>POR (Shen et al., CCS 2021): task-agnostic, triggered [CLS] outputs pushed to predefined vectors (shared code in <c>Representation/</c>).</summary>
public static class PorAttack
{
    public static readonly AttackDescriptor Descriptor = new()
    {
        Kind = AttackKind.Por,
        Procedure = new OutputRepresentationPoisoning(OutputTargets.Por),
        DefaultTriggers = ["cf", "mn", "bb", "tq", "mb"],
    };
}
