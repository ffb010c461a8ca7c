using Psim.Defense.Detection;

namespace Psim.Defense;

/// <summary>
/// What psim knows of one defence, declared next to its mechanism and listed once in <see cref="DefenseCatalog"/>:
/// its settings record (null: none of its own), and how it is measured: as an inference-time detector under the
/// one protocol, or, for a paraphrasing defence, on its pre-paraphrased test files.
/// </summary>
public sealed record DefenseDescriptor
{
    public required DefenseKind Kind { get; init; }
    public OptionsGroup<ICheckedOptions>? Options { get; init; }

    /// <summary>Builds the detector (training or fitting what it needs) for one victim; null for a paraphrasing defence.</summary>
    public Func<DetectorContext, IInputDetector>? Detector { get; init; }

    /// <summary>True for a defence built on PSIM's trained detector (PSIM itself, the fused guard): measured only where a run has one.</summary>
    public bool UsesPsimDetector { get; init; }

    /// <summary>A paraphrasing defence: the suffix of its test files (<c>test_SUFFIX</c>, <c>test_ATTACK_SUFFIX</c>).</summary>
    public string? ParaphrasedSuffix { get; init; }
}
