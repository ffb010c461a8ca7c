using Psim.Peft;
using Psim.Workflows;

namespace Psim.Study;

/// <summary>A poisoned model of the study, with the proxy-test metrics of its poisoning step (null: skipped or not run).</summary>
public sealed record PoisonedModelResult(string Pair, string Attack, long Seed, string? Skipped, PoisonMetrics? Metrics);

/// <summary>One victim of the study (a poisoned model adapted by one strategy), with what each defence step measured on it.</summary>
public sealed record VictimResult(string Pair, string Attack, TuningMethod Strategy, long Seed,
    FinetuneMetrics? Victim, DefenseReport? PsimFixed, DefenseReport? PsimCalibrated, List<BaselineResult>? Baselines);

/// <summary>The study's <c>results.json</c>: every number of the report, with the config and versions that made it.</summary>
public sealed record StudyResults(StudyConfig Config, IReadOnlyDictionary<string, string> Versions, double WallSeconds, double StepSeconds,
    int StepsRun, int StepsCached, IReadOnlyList<PoisonedModelResult> PoisonedModels, IReadOnlyList<VictimResult> Victims)
{
    public static readonly ResultFile<StudyResults> File = new("results.json");
}
