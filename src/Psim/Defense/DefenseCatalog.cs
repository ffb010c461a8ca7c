using Psim.Defense.Dan;
using Psim.Defense.Guard;
using Psim.Defense.Onion;
using Psim.Defense.Paraphrase;
using Psim.Defense.Psim;
using Psim.Defense.Rap;
using Psim.Defense.Strip;

namespace Psim.Defense;

/// <summary>Every defence psim measures, one line each; a test fails unless each <see cref="DefenseKind"/> has exactly one entry.</summary>
public static class DefenseCatalog
{
    public static IReadOnlyList<DefenseDescriptor> All { get; } =
    [
        PsimInputDetector.Descriptor,
        OnionDetector.Descriptor,
        StripDetector.Descriptor,
        Paraphrasing.Backtranslation,
        Paraphrasing.Scpd,
        RapDetector.Descriptor,
        DanDetector.Descriptor,
        GuardDetector.Descriptor,
    ];

    /// <summary>The defences built on PSIM's detector, in catalog order: what a detector folder adds to a comparison.</summary>
    public static IReadOnlyList<DefenseKind> OnPsimDetector { get; } = [.. All.Where(d => d.UsesPsimDetector).Select(d => d.Kind)];

    public static DefenseDescriptor Of(DefenseKind kind) =>
        All.SingleOrDefault(d => d.Kind == kind) ?? throw new InvalidOperationException($"{kind} has no entry in the defence catalog");
}
