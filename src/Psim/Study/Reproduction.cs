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
    public const string ConfigFile = "config.json",
        PlanFile = "plan.json";

    public static ReproductionResult Run(
        StudyConfig config,
        string dir,
        Action<string> log,
        CancellationToken ct = default,
        bool force = false
    )
    {
        var sw = Stopwatch.StartNew();
        var plan = Prepare(config, dir, log, force);
        var runner = new StudyRunner(plan, log);
        try
        {
            runner.Run(ct);
        }
        finally
        {
            if (runner.Steps.Count > 0)
                StudyReport.Write(dir, config, runner.Steps, sw.Elapsed);
        }
        return new ReproductionResult(
            runner.Steps.Count(s => s.Ran),
            runner.Steps.Count(s => !s.Ran && s.Step.Skipped is null),
            sw.Elapsed,
            Path.GetFullPath(Path.Combine(dir, "report.md"))
        );
    }

    /// <summary>
    /// <c>psim reproduce --plan-only</c>: the config and the plan written, no step run, so that a config is checked in
    /// seconds; the steps counted by what they would do.
    /// </summary>
    public static PlanSummary PlanOnly(StudyConfig config, string dir, Action<string> log, bool force = false)
    {
        var plan = Prepare(config, dir, log, force);
        int skipped = plan.Steps.Count(s => s.Skipped is not null);
        int done = plan.Steps.Count(s => s.Skipped is null && StepCache.IsDone(s));
        return new PlanSummary(
            plan.Steps.Count,
            done,
            plan.Steps.Count - done - skipped,
            skipped,
            Path.GetFullPath(Path.Combine(dir, PlanFile))
        );
    }

    /// <summary>Writes the config and the plan into the study folder and returns the plan.</summary>
    public static StudyPlan Prepare(StudyConfig config, string dir, Action<string> log, bool force = false)
    {
        OutputFolder.Claim(dir, OutputKind.Study, [config.DataRoot, config.BaseModel], force);
        AtomicFile.WriteAllText(Path.Combine(dir, ConfigFile), JsonSerializer.Serialize(config, StudyConfig.Json));
        var plan = StudyPlan.Build(config, dir, log);
        AtomicFile.WriteAllText(Path.Combine(dir, PlanFile), plan.ToJson());
        return plan;
    }

    /// <summary>The plan of a prepared study folder, rebuilt from its config.json; refused when it no longer matches plan.json (the data or psim changed since).</summary>
    public static (StudyConfig Config, StudyPlan Plan) Open(string dir, Action<string> log)
    {
        var configFile = Path.Combine(dir, ConfigFile);
        if (!File.Exists(configFile))
            throw new PsimException($"{dir}: not a study folder (no {ConfigFile}; psim reproduce writes it)");
        var config = StudyConfig.Load(configFile, StudyPreset.Paper);
        var plan = StudyPlan.Build(config, dir, log);
        var planFile = Path.Combine(dir, PlanFile);
        if (File.Exists(planFile) && File.ReadAllText(planFile) != plan.ToJson())
            throw new PsimException(
                $"{planFile}: the plan built now differs from the one written when the study was prepared (a data file or psim changed); run psim reproduce again to prepare it anew"
            );
        return (config, plan);
    }

    /// <summary><c>psim study run-step</c>: one step of a prepared study (what one scheduler job runs).</summary>
    public static bool RunStep(string dir, string step, Action<string> log, CancellationToken ct = default)
    {
        var (_, plan) = Open(dir, log);
        return new StudyRunner(plan, log).RunOne(step, ct);
    }

    /// <summary><c>psim study report</c>: the report of a study folder from the steps that have finished, running none.</summary>
    public static string Report(string dir, Action<string> log)
    {
        var (config, plan) = Open(dir, log);
        var steps = plan.Steps.Where(s => s.Skipped is not null || StepCache.IsDone(s)).Select(s => new StepRecord(s, Ran: false)).ToList();
        if (steps.Count == 0)
            throw new PsimException($"{dir}: no step of the study has finished yet");
        StudyReport.Write(dir, config, steps, TimeSpan.Zero);
        return Path.GetFullPath(Path.Combine(dir, "report.md"));
    }
}

/// <summary>What <see cref="Reproduction.PlanOnly"/> found: the steps of the plan, finished, to run and skipped (with a reason in plan.json).</summary>
public sealed record PlanSummary(int Steps, int Finished, int ToRun, int Skipped, string PlanFile);
