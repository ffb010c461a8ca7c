using Psim.Attacks.BadNet;
using Psim.Attacks.Ep;
using Psim.Attacks.InSent;
using Psim.Attacks.Lwp;
using Psim.Attacks.NeuBa;
using Psim.Attacks.Por;
using Psim.Attacks.Ripple;
using Psim.Attacks.Sos;
using Psim.Attacks.SynAttack;

namespace Psim.Attacks;

/// <summary>Every attack psim builds, one line each; a test fails unless each <see cref="AttackKind"/> has exactly one entry.</summary>
public static class AttackCatalog
{
    public static IReadOnlyList<AttackDescriptor> All { get; } =
    [
        BadNetAttack.Descriptor,
        InSentAttack.Descriptor,
        SynAttackAttack.Descriptor,
        EpAttack.Descriptor,
        RippleAttack.Ripple,
        RippleAttack.Ripples,
        LwpAttack.Descriptor,
        SosAttack.Descriptor,
        PorAttack.Descriptor,
        NeuBaAttack.Descriptor,
    ];

    public static AttackDescriptor Of(AttackKind kind) =>
        All.SingleOrDefault(d => d.Kind == kind) ?? throw new InvalidOperationException($"{kind} has no entry in the attack catalog");

    /// <summary>The options groups, each once, in catalog order.</summary>
    public static IReadOnlyList<OptionsGroup<AttackOptions>> Groups { get; } =
        All.Select(d => d.Options).OfType<OptionsGroup<AttackOptions>>().Distinct().ToList();

    public static OptionsGroup<AttackOptions>? Group(string name) => Groups.FirstOrDefault(g => g.Name == name);

    public static OptionsGroup<AttackOptions> GroupOf(Type optionsType) =>
        Groups.SingleOrDefault(g => g.Type == optionsType)
        ?? throw new InvalidOperationException($"{optionsType.Name} is not the options record of any attack in the catalog");

    /// <summary>The attacks that read a group's options.</summary>
    public static IReadOnlyList<AttackKind> KindsOf(OptionsGroup<AttackOptions> group) =>
        All.Where(d => d.Options == group).Select(d => d.Kind).ToList();
}
