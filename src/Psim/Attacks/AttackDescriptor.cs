namespace Psim.Attacks;

/// <summary>
/// What psim knows of one attack, declared in the attack's own folder and listed once in <see cref="AttackCatalog"/>:
/// its poisoning procedure, default trigger words and poisoning mode, its options (null: it has none) and its test trigger.
/// </summary>
public sealed record AttackDescriptor
{
    public required AttackKind Kind { get; init; }

    /// <summary>How it turns poisoned rows into weights (shared procedures take the attack's own rows, objective or vectors).</summary>
    public required IPoisoningProcedure Procedure { get; init; }

    /// <summary>The rare words it inserts, or whose rows it trains, when none are given.</summary>
    public required IReadOnlyList<string> DefaultTriggers { get; init; }

    /// <summary>The rows it poisons by default: dirty-label (relabelled to the target) unless its paper poisons clean-label.</summary>
    public PoisonMode DefaultMode { get; init; } = PoisonMode.DirtyLabel;
    public OptionsGroup<AttackOptions>? Options { get; init; }

    /// <summary>The inserting trigger a spec of this attack builds; null where the attack has none (paraphrases, task-agnostic sweeps).</summary>
    public Func<AttackSpec, ITextTrigger?> Trigger { get; init; } = _ => null;

    /// <summary>Its poisoned rows come from pre-paraphrased files (<c>train_synattack</c>, <c>test_synattack</c>), not from a trigger.</summary>
    public bool PoisonsFromParaphrases { get; init; }
}
