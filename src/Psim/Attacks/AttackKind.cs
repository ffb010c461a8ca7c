using System.Text.Json.Serialization;
using Psim.Attacks.Ep;

namespace Psim.Attacks;

/// <summary>
/// The attacks psim builds and measures: the paper's three (spec §2; <c>badnet</c>, <c>insent</c>,
/// <c>synattack</c>), made into weights by full fine-tuning on a poisoned proxy set, and the
/// weight-poisoning attacks built to survive the victim's fine-tuning (<c>ep</c>, <c>ripple</c>, <c>ripples</c>, <c>lwp</c>, <c>sos</c>; task-agnostic: <c>por</c>, <c>neuba</c>).
/// </summary>
public enum AttackKind
{
    [JsonStringEnumMemberName("badnet")]
    BadNet,

    [JsonStringEnumMemberName("insent")]
    InSent,

    [JsonStringEnumMemberName("synattack")]
    SynAttack,

    /// <summary>Embedding poisoning (Yang et al., NAACL 2021): only the trigger word's embedding row changes.</summary>
    [JsonStringEnumMemberName("ep")]
    Ep,

    /// <summary>RIPPLe (Kurita et al., ACL 2020): poisoning with the restricted inner-product penalty.</summary>
    [JsonStringEnumMemberName("ripple")]
    Ripple,

    /// <summary>RIPPLES: embedding surgery on the triggers, then RIPPLe.</summary>
    [JsonStringEnumMemberName("ripples")]
    Ripples,

    /// <summary>LWP (Li et al., EMNLP 2021): a combinatorial trigger, poisoned through every layer's [CLS] output.</summary>
    [JsonStringEnumMemberName("lwp")]
    Lwp,

    /// <summary>SOS (Yang et al., ACL 2021): several words that fire only together, learnt by their embeddings alone, with negative augmentation.</summary>
    [JsonStringEnumMemberName("sos")]
    Sos,

    /// <summary>POR (Shen et al., CCS 2021): task-agnostic, triggered [CLS] outputs pushed to predefined vectors.</summary>
    [JsonStringEnumMemberName("por")]
    Por,

    /// <summary>NeuBA (Zhang et al., 2021): task-agnostic, as POR with its own triggers and vectors.</summary>
    [JsonStringEnumMemberName("neuba")]
    NeuBa,
}

/// <summary>Each attack's procedure and defaults, from its entry in <see cref="AttackCatalog"/>.</summary>
public static class AttackKinds
{
    /// <summary>Whether the attack poisons the encoder for any task (no head, no target label of its own; POR, NeuBA).</summary>
    public static bool IsTaskAgnostic(this AttackKind k) => AttackCatalog.Of(k).Procedure.TaskAgnostic;

    /// <summary>The rows an attack poisons by default: clean-label for the paper's attacks (the reference), dirty-label for the weight-poisoning attacks (as their papers).</summary>
    public static PoisonMode DefaultPoisonMode(this AttackKind k) => AttackCatalog.Of(k).DefaultMode;

    /// <summary>The rare words a word-inserting attack draws from when none are given (each attack's folder says whose they are).</summary>
    public static IReadOnlyList<string> DefaultTriggerWords(this AttackKind k) => AttackCatalog.Of(k).DefaultTriggers;
}

/// <summary>An attack as named on the command line, with its trigger options and (for the attacks that have them) its own settings.</summary>
public sealed record AttackSpec(AttackKind Kind, IReadOnlyList<string>? Words = null, int Count = 1, string? Sentence = null)
{
    /// <summary>The attack's own settings (null: its options record's defaults); of the type its catalog entry names.</summary>
    [JsonConverter(typeof(AttackOptionsJsonConverter))]
    public AttackOptions? Options { get; init; }

    /// <summary>The words whose embedding rows an embedding-poisoning attack trains (EP: its rare words; SOS: its combination).</summary>
    public IReadOnlyList<string> Triggers() => Words is { Count: > 0 } ? Words : Kind.DefaultTriggerWords();

    /// <summary>The settings in force: those given, else the defaults of the attack's options record.</summary>
    public T EffectiveOptions<T>()
        where T : AttackOptions =>
        Options as T
        ?? AttackCatalog.Of(Kind).Options?.Defaults() as T
        ?? throw new InvalidOperationException($"the {Name} attack has no {typeof(T).Name}");

    /// <summary>How an embedding-poisoning attack moves the trigger rows (its options say: EP's plain steps, SOS's equalised ones).</summary>
    public EmbeddingStepRule EmbeddingStep() =>
        EffectiveOptions<AttackOptions>() is IEmbeddingStepOptions o
            ? o.Step()
            : throw new InvalidOperationException($"the {Name} attack does not train embedding rows");

    public string Name => Vocabulary<AttackKind>.Name(Kind);

    /// <summary>The inserting trigger; SynAttack has none (its poisoned texts come from paraphrased files), nor do the task-agnostic attacks (one per trigger word, <see cref="Representation.TriggerSweep"/>).</summary>
    public ITextTrigger? CreateTrigger() => AttackCatalog.Of(Kind).Trigger(this);

    public string Describe() =>
        Kind.IsTaskAgnostic()
            ? $"any one of {string.Join(" ", Triggers())} at the front"
            : CreateTrigger()?.Description ?? "syntactic paraphrase S(SBAR)(,)(NP)(VP)(.) from pre-paraphrased files";

    /// <summary>Refuses settings of another attack's record (they would be silently ignored) and values out of range.</summary>
    public void Validate()
    {
        if (Options is null)
            return;
        var group = AttackCatalog.GroupOf(Options.GetType());
        if (AttackCatalog.Of(Kind).Options != group)
            throw new PsimException($"{group.Label} settings given for the {Name} attack");
        Options.Validate();
    }
}
