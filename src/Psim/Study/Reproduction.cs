using System.Diagnostics;
using System.Text.Json;
using Psim.Files;

namespace Psim.Study;

/// <summary>What one <c>psim reproduce</c> invocation did.</summary>
public sealed record ReproductionResult(int StepsRun, int StepsCached, TimeSpan Elapsed, string ReportFile);

/// <summary>
/// What <c>psim reproduce</c> does: writes the config and the plan into the study folder, runs the plan
/// through the step cache, and writes the report, also when the run stops part-way (from what finished).
/// </summary>
public static class Reproduction
{
    public static ReproductionResult Run(StudyConfig config, string dir, Action<string> log, CancellationToken ct = default)
    {
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(config, StudyConfig.Json));
        var sw = Stopwatch.StartNew();
        var plan = StudyPlan.Build(config, dir, log);
        AtomicFile.WriteAllText(Path.Combine(dir, "plan.json"), plan.ToJson());
        var runner = new StudyRunner(plan, log);
        try { runner.Run(ct); }
        finally
        {
            if (runner.Steps.Count > 0) StudyReport.Write(dir, config, runner.Steps, sw.Elapsed);
        }
        return new ReproductionResult(runner.Steps.Count(s => s.Ran), runner.Steps.Count(s => !s.Ran && s.Step.Skipped is null), sw.Elapsed,
            Path.GetFullPath(Path.Combine(dir, "report.md")));
    }
}
