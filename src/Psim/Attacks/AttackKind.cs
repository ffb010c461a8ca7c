using System.Text.Json.Serialization;
using Psim.Attacks.Ep;
using Psim.Attacks.Lwp;
using Psim.Attacks.Ripple;
using Psim.Attacks.Sos;

namespace Psim.Attacks;

/// <summary>
/// The attacks psim builds and measures: the paper's three (spec §2; <c>badnet</c>, <c>insent</c>,
/// <c>synattack</c>), made into weights by full fine-tuning on a poisoned proxy set, and the
/// weight-poisoning attacks built to survive the victim's fine-tuning (<c>ep</c>, <c>ripple</c>, <c>ripples</c>, <c>lwp</c>, <c>sos</c>; task-agnostic: <c>por</c>, <c>neuba</c>).
/// </summary>
public enum AttackKind
{
    [JsonStringEnumMemberName("badnet")] BadNet,
    [JsonStringEnumMemberName("insent")] InSent,
    [JsonStringEnumMemberName("synattack")] SynAttack,
    /// <summary>Embedding poisoning (Yang et al., NAACL 2021): only the trigger word's embedding row changes.</summary>
    [JsonStringEnumMemberName("ep")] Ep,
    /// <summary>RIPPLe (Kurita et al., ACL 2020): poisoning with the restricted inner-product penalty.</summary>
    [JsonStringEnumMemberName("ripple")] Ripple,
    /// <summary>RIPPLES: embedding surgery on the triggers, then RIPPLe.</summary>
    [JsonStringEnumMemberName("ripples")] Ripples,
    /// <summary>LWP (Li et al., EMNLP 2021): a combinatorial trigger, poisoned through every layer's [CLS] output.</summary>
    [JsonStringEnumMemberName("lwp")] Lwp,
    /// <summary>SOS (Yang et al., ACL 2021): several words that fire only together, learnt by their embeddings alone, with negative augmentation.</summary>
    [JsonStringEnumMemberName("sos")] Sos,
    /// <summary>POR (Shen et al., CCS 2021): task-agnostic, triggered [CLS] outputs pushed to predefined vectors.</summary>
    [JsonStringEnumMemberName("por")] Por,
    /// <summary>NeuBA (Zhang et al., 2021): task-agnostic, as POR with its own triggers and vectors.</summary>
    [JsonStringEnumMemberName("neuba")] NeuBa,
}

/// <summary>How an attack turns its poisoned rows into weights.</summary>
public enum PoisoningProcedure
{
    /// <summary>Full fine-tuning of the base model on the poisoned proxy set (BadNet, InSent, SynAttack).</summary>
    DataPoisoning,
    /// <summary>A clean fine-tune on the proxy set, then gradient steps on the trigger words' embedding rows only (EP).</summary>
    EmbeddingPoisoning,
    /// <summary>Full fine-tuning on the poisoned proxy set with RIPPLe's restricted inner-product objective, after embedding surgery for RIPPLES.</summary>
    RestrictedInnerProduct,
    /// <summary>Full fine-tuning on combinatorially poisoned rows with the loss summed over every layer's [CLS] output (LWP).</summary>
    Layerwise,
    /// <summary>Task-agnostic: the encoder alone, triggered [CLS] outputs pushed to fixed vectors, clean ones kept (POR, NeuBA).</summary>
    OutputRepresentation,
}

/// <summary>Each attack's procedure and defaults, in one place.</summary>
public static class AttackKinds
{
    public static PoisoningProcedure Procedure(this AttackKind k) => k switch
    {
        AttackKind.Ep or AttackKind.Sos => PoisoningProcedure.EmbeddingPoisoning,
        AttackKind.Ripple or AttackKind.Ripples => PoisoningProcedure.RestrictedInnerProduct,
        AttackKind.Lwp => PoisoningProcedure.Layerwise,
        AttackKind.Por or AttackKind.NeuBa => PoisoningProcedure.OutputRepresentation,
        _ => PoisoningProcedure.DataPoisoning,
    };

    /// <summary>Whether the attack poisons the encoder for any task (no head, no target label of its own; POR, NeuBA).</summary>
    public static bool IsTaskAgnostic(this AttackKind k) => k.Procedure() == PoisoningProcedure.OutputRepresentation;

    /// <summary>The rows an attack poisons by default: clean-label for the paper's attacks (the reference), dirty-label for the weight-poisoning attacks (as their papers).</summary>
    public static PoisonMode DefaultPoisonMode(this AttackKind k) => k is AttackKind.BadNet or AttackKind.InSent or AttackKind.SynAttack ? PoisonMode.CleanLabel : PoisonMode.DirtyLabel;

    /// <summary>
    /// The rare words a word-inserting attack draws from when none are given: BadNet "mn" (the reference),
    /// EP "mb" (OpenBackdoor's), RIPPLe(S) "cf tq mn bb mb" (the paper's released configuration), LWP "cf bb ak mn" (OpenBackdoor's), SOS "friends weekend store" (its paper's), POR "cf mn bb tq mb", NeuBA "≈ ≡ ∈ ⊆ ⊕ ⊗" (OpenBackdoor's).
    /// </summary>
    public static IReadOnlyList<string> DefaultTriggerWords(this AttackKind k) => k switch
    {
        AttackKind.Ep => ["mb"],
        AttackKind.Ripple or AttackKind.Ripples => ["cf", "tq", "mn", "bb", "mb"],
        AttackKind.Lwp => ["cf", "bb", "ak", "mn"],
        AttackKind.Sos => ["friends", "weekend", "store"],
        AttackKind.Por => ["cf", "mn", "bb", "tq", "mb"],
        AttackKind.NeuBa => ["≈", "≡", "∈", "⊆", "⊕", "⊗"],
        _ => ["mn"],
    };
}

/// <summary>An attack as named on the command line, with its trigger options and (for the attacks that have them) its own settings.</summary>
public sealed record AttackSpec(AttackKind Kind, IReadOnlyList<string>? Words = null, int Count = 1, string? Sentence = null)
{
    /// <summary>EP's settings (null: <see cref="EpOptions"/>' defaults); only for <see cref="AttackKind.Ep"/>.</summary>
    public EpOptions? Ep { get; init; }
    /// <summary>RIPPLe's and embedding surgery's settings (null: <see cref="RippleOptions"/>' defaults); only for RIPPLe and RIPPLES.</summary>
    public RippleOptions? Ripple { get; init; }
    /// <summary>LWP's settings (null: <see cref="LwpOptions"/>' defaults); only for LWP.</summary>
    public LwpOptions? Lwp { get; init; }
    /// <summary>SOS's settings (null: <see cref="SosOptions"/>' defaults); only for SOS.</summary>
    public SosOptions? Sos { get; init; }

    /// <summary>SOS's test trigger when no sentence is given: a natural sentence holding its three words (its paper's).</summary>
    public const string SosSentence = "I have bought it from a store with my friends last weekend";

    /// <summary>The words whose embedding rows an embedding-poisoning attack trains (EP: its rare words; SOS: its combination).</summary>
    public IReadOnlyList<string> Triggers() => Words is { Count: > 0 } ? Words : Kind.DefaultTriggerWords();

    /// <summary>How an embedding-poisoning attack moves the trigger rows.</summary>
    public EmbeddingStepRule EmbeddingStep() => Kind == AttackKind.Sos ? (Sos ?? new SosOptions()).Step() : (Ep ?? new EpOptions()).Step();

    public string Name => Vocabulary<AttackKind>.Name(Kind);

    /// <summary>The inserting trigger; SynAttack has none (its poisoned texts come from paraphrased files), nor do the task-agnostic attacks (one per trigger word, <see cref="Representation.TriggerSweep"/>).</summary>
    public ITextTrigger? CreateTrigger() => Kind switch
    {
        AttackKind.BadNet or AttackKind.Ep or AttackKind.Ripple or AttackKind.Ripples => new BadNetTrigger(Words is { Count: > 0 } ? Words : Kind.DefaultTriggerWords(), Count),
        AttackKind.InSent => new InSentTrigger(Sentence),
        AttackKind.Sos => new InSentTrigger(Sentence ?? SosSentence),
        AttackKind.Lwp => new CombinationTrigger(Words is { Count: > 0 } ? Words : Kind.DefaultTriggerWords(), (Lwp ?? new LwpOptions()).CombinationSize),
        _ => null,
    };

    public string Describe() => Kind.IsTaskAgnostic() ? $"any one of {string.Join(" ", Triggers())} at the front"
        : CreateTrigger()?.Description ?? "syntactic paraphrase S(SBAR)(,)(NP)(VP)(.) from pre-paraphrased files";

    /// <summary>Refuses settings that belong to another attack (they would be silently ignored).</summary>
    public void Validate()
    {
        if (Ep is not null && Kind != AttackKind.Ep) throw new PsimException($"EP settings given for the {Name} attack");
        if (Ripple is not null && Kind is not (AttackKind.Ripple or AttackKind.Ripples)) throw new PsimException($"RIPPLe settings given for the {Name} attack");
        if (Lwp is not null && Kind != AttackKind.Lwp) throw new PsimException($"LWP settings given for the {Name} attack");
        if (Sos is not null && Kind != AttackKind.Sos) throw new PsimException($"SOS settings given for the {Name} attack");
        Sos?.Validate();
        Ep?.Validate();
        Ripple?.Validate();
        Lwp?.Validate();
    }
}
