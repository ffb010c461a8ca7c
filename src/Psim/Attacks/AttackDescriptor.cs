namespace Psim.Attacks;

/// <summary>
/// What psim knows of one attack, declared in the attack's own folder and listed once in <see cref="AttackCatalog"/>:
/// its procedure, default trigger words and poisoning mode, its options (null: it has none) and its test trigger.
/// </summary>
public sealed record AttackDescriptor
{
    public required AttackKind Kind { get; init; }
    public required PoisoningProcedure Procedure { get; init; }
    /// <summary>The rare words it inserts, or whose rows it trains, when none are given.</summary>
    public required IReadOnlyList<string> DefaultTriggers { get; init; }
    /// <summary>The rows it poisons by default: dirty-label (relabelled to the target) unless its paper poisons clean-label.</summary>
    public PoisonMode DefaultMode { get; init; } = PoisonMode.DirtyLabel;
    public OptionsGroup<AttackOptions>? Options { get; init; }
    /// <summary>The inserting trigger a spec of this attack builds; null where the attack has none (paraphrases, task-agnostic sweeps).</summary>
    public Func<AttackSpec, ITextTrigger?> Trigger { get; init; } = _ => null;
    /// <summary>Its poisoned rows come from pre-paraphrased files (<c>train_synattack</c>, <c>test_synattack</c>), not from a trigger.</summary>
    public bool PoisonsFromParaphrases { get; init; }
    /// <summary>Restricted inner product: embedding surgery on the trigger rows before the poisoning (RIPPLES).</summary>
    public bool SurgeryFirst { get; init; }
    /// <summary>Embedding poisoning: the rows the trigger embeddings train on.</summary>
    public Func<EmbeddingRowsInput, IReadOnlyList<PoisonedExample>>? EmbeddingRows { get; init; }
    /// <summary>Output representation: the predefined vectors, one per trigger word (count, hidden size).</summary>
    public Func<int, int, float[][]>? OutputVectors { get; init; }
}

/// <summary>What an embedding-poisoning attack builds its training rows from.</summary>
public sealed record EmbeddingRowsInput(IReadOnlyList<Data.Example> Train, AttackSpec Spec, PoisonOptions Poison, int TargetLabel, Random Rng);
