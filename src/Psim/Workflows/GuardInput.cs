using Psim.Defense.Audit;
using Psim.Defense.Dan;
using Psim.Defense.Detection;
using Psim.Defense.Guard;

namespace Psim.Workflows;

/// <summary>
/// What the fused guard needs where it serves (<c>psim predict</c>, <c>psim serve</c> with <c>--guard-data</c>): the clean
/// task whose dev rows calibrate it, the clean base the victim claims to derive from (its audit's suspect tokens; null:
/// no audit), the FRR its threshold is set to on clean dev, its and DAN's settings, and the seed of its held-out split.
/// </summary>
public sealed record GuardInput
{
    public required TaskInput Task { get; init; }
    public string? Reference { get; init; }
    public double TargetFrr { get; init; } = Defaults.DetectorTargetFrr;
    public GuardOptions Guard { get; init; } = new();
    public DanOptions Dan { get; init; } = new();
    public long Seed { get; init; } = Defaults.Seed;
}

/// <summary>The tokens a model audit of a victim's checkpoint against its clean base names as suspect (the guard's token part).</summary>
public static class SuspectTokenAudit
{
    public static IReadOnlyList<SuspectToken> Of(string model, string reference, Action<string> log)
    {
        var audit = ModelAudit.Run(model, reference, new AuditOptions(), log);
        log($"audit of {model} against {reference}: {Vocabulary<AuditVerdict>.Name(audit.Verdict)} ({audit.Reason})");
        return audit.Embeddings!.TopRows.Where(x => x.Suspect).Select(x => new SuspectToken((int)x.Id, x.Token)).ToList();
    }
}
