using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.Files;
using Psim.Peft;
using Psim.Workflows;

namespace Psim.Study;

/// <summary>A poisoned model of the study, with the proxy-test metrics of its poisoning step (null: skipped or not run).</summary>
public sealed record PoisonedModelResult(string Pair, string Attack, long Seed, string? Skipped, PoisonMetrics? Metrics);

/// <summary>One victim of the study (a poisoned model adapted by one strategy), with what each defence step measured on it.</summary>
public sealed record VictimResult(
    string Pair,
    string Attack,
    TuningMethod Strategy,
    long Seed,
    FinetuneMetrics? Victim,
    DefenseReport? PsimFixed,
    DefenseReport? PsimCalibrated,
    List<BaselineResult>? Baselines
);

/// <summary>
/// The study's <c>results.json</c>: every number of the report, with the config and versions that made it. What a
/// clock or an invocation sets (wall and step seconds, steps run or cached, each measured duration) goes to
/// <c>timing.json</c> instead, and paths inside the study folder are written relative to it, so that the same config
/// gives the same results.json byte for byte, whichever executor ran it (local or Slurm) and wherever the folder is.
/// </summary>
public sealed record StudyResults(
    StudyConfig Config,
    IReadOnlyDictionary<string, string> Versions,
    double WallSeconds,
    double StepSeconds,
    int StepsRun,
    int StepsCached,
    IReadOnlyList<PoisonedModelResult> PoisonedModels,
    IReadOnlyList<VictimResult> Victims
)
{
    public const string FileName = "results.json",
        TimingFileName = "timing.json";

    public void Write(string studyDir)
    {
        var root = JsonSerializer.SerializeToNode(this, RunRecord.Json)!;
        var timing = new JsonObject();
        var prefix = Path.GetFullPath(studyDir).TrimEnd('/') + "/";
        Split(root, "$", timing, prefix);
        AtomicFile.WriteAllText(Path.Combine(studyDir, FileName), root.ToJsonString(RunRecord.Json));
        AtomicFile.WriteAllText(Path.Combine(studyDir, TimingFileName), timing.ToJsonString(RunRecord.Json));
    }

    private static readonly string[] InvocationFields = ["steps_run", "steps_cached"];

    /// <summary>Moves every duration and invocation count into <paramref name="timing"/> (keyed by JSON path) and makes study paths relative.</summary>
    private static void Split(JsonNode? node, string path, JsonObject timing, string prefix)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (key.Contains("seconds", StringComparison.OrdinalIgnoreCase) || InvocationFields.Contains(key))
                    {
                        var value = o[key];
                        o.Remove(key);
                        timing[$"{path}.{key}"] = value;
                    }
                    else if (o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith(prefix, StringComparison.Ordinal))
                        o[key] = s[prefix.Length..];
                    else
                        Split(o[key], $"{path}.{key}", timing, prefix);
                }
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s) && s.StartsWith(prefix, StringComparison.Ordinal))
                        a[i] = s[prefix.Length..];
                    else
                        Split(a[i], $"{path}[{i}]", timing, prefix);
                }
                break;
        }
    }
}
