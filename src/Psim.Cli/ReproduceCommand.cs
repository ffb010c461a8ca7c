using System.CommandLine;
using Psim.Study;

namespace Psim.Cli;

/// <summary><c>psim reproduce</c>: the whole study from one config, cached and resumable, with a report.</summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config")
        {
            Description = "study config (JSON, comments allowed); fields not given take the preset's values",
        };
        var preset = VocabularyOption.Create(
            "--preset",
            "quick (one pair, fewer rows and epochs; well under an hour on 2 cores), paper (the reference settings) or attacks (the weight-poisoning attacks at quick sizes)",
            StudyPreset.Quick
        );
        var outDir = Cli.OutOption("study folder: config.json, plan.json, cached steps, results.json, report.md, report.html, figures/");
        var executor = VocabularyOption.Create(
            "--executor",
            "local (here, step after step) or slurm (one sbatch job per step, dependencies between them; the config's slurm section; docs/cluster.md)",
            StudyExecutor.Local
        );
        var wait = new Option<bool>("--wait") { Description = "slurm: wait until every job has ended and fail if a step did not finish" };
        var planOnly = new Option<bool>("--plan-only")
        {
            Description = "write config.json and plan.json into the study folder and stop, running no step (checks a config in seconds)",
        };
        var cmd = new Command(
            "reproduce",
            "Run the paper's grid (poison, victims, PSIM, baselines) and write a report; re-runs skip finished steps"
        )
        {
            config,
            preset.Option,
            outDir,
            executor.Option,
            wait,
            planOnly,
        };
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                var c = StudyConfig.Load(r.GetValue(config), preset.Read(r));
                if (r.GetValue(planOnly))
                {
                    var p = Reproduction.PlanOnly(c, r.GetValue(outDir)!, Cli.Log, r.GetValue(Cli.Force));
                    Console.WriteLine(
                        $"plan: {p.Steps} steps, {p.Finished} finished already, {p.ToRun} to run, {p.Skipped} skipped; {p.PlanFile}"
                    );
                    return ExitCode.Ok;
                }
                if (executor.Read(r) == StudyExecutor.Slurm)
                {
                    var jobs = SlurmExecutor.Submit(c, r.GetValue(outDir)!, Cli.Log, r.GetValue(Cli.Force));
                    Console.WriteLine(
                        jobs.ReportJob is null
                            ? $"every step was finished already ({jobs.StepsCached}); report written"
                            : $"submitted {jobs.StepJobs.Count} step jobs ({jobs.StepsCached} steps from the cache) and report job {jobs.ReportJob}"
                    );
                    if (r.GetValue(wait) && jobs.ReportJob is not null)
                    {
                        SlurmExecutor.Wait(jobs, r.GetValue(outDir)!, Cli.Log, ct);
                        Console.WriteLine(
                            $"study finished on Slurm; report: {Path.GetFullPath(Path.Combine(r.GetValue(outDir)!, "report.md"))}"
                        );
                    }
                    return ExitCode.Ok;
                }
                if (r.GetValue(wait))
                    throw new PsimException("--wait is for --executor slurm");
                var done = Reproduction.Run(c, r.GetValue(outDir)!, Cli.Log, ct, r.GetValue(Cli.Force));
                Console.WriteLine(
                    $"study finished in {done.Elapsed.TotalMinutes:F1} min: {done.StepsRun} steps run, {done.StepsCached} from the cache; report: {done.ReportFile}"
                );
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    /// <summary><c>psim study run-step</c> and <c>psim study report</c>: a prepared study driven step by step (what a scheduler does).</summary>
    public static Command Study()
    {
        var studyDir = new Option<string>("--study")
        {
            Description = "a study folder psim reproduce prepared (config.json, plan.json)",
            Required = true,
        };
        var stepName = new Option<string>("--step") { Description = "the step's name, as plan.json gives it", Required = true };
        var runStep = new Command(
            "run-step",
            "Run one step of a prepared study (its upstream steps must have finished); a finished step is not run again"
        )
        {
            studyDir,
            stepName,
        };
        runStep.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                Reproduction.RunStep(r.GetValue(studyDir)!, r.GetValue(stepName)!, Cli.Log, ct);
                return ExitCode.Ok;
            })
        );
        var reportDir = new Option<string>("--study") { Description = "a study folder", Required = true };
        var report = new Command("report", "Write the report of a study folder from the steps that have finished (runs nothing)")
        {
            reportDir,
        };
        report.SetAction(r =>
            Cli.Run(() =>
            {
                Console.WriteLine($"report: {Reproduction.Report(r.GetValue(reportDir)!, Cli.Log)}");
                return ExitCode.Ok;
            })
        );
        return new Command("study", "Drive a prepared study step by step (a scheduler's view of psim reproduce)") { runStep, report };
    }
}
