using System.CommandLine;
using Psim.Study;

namespace Psim.Cli;

/// <summary><c>psim reproduce</c>: the whole study from one config, cached and resumable, with a report.</summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "study config (JSON, comments allowed); fields not given take the preset's values" };
        var preset = VocabularyOption.Create("--preset", "quick (one pair, fewer rows and epochs; well under an hour on 2 cores), paper (the reference settings) or attacks (the weight-poisoning attacks at quick sizes)", StudyPreset.Quick);
        var outDir = Cli.OutOption("study folder: config.json, plan.json, cached steps, results.json, report.md, report.html, figures/");
        var cmd = new Command("reproduce", "Run the paper's grid (poison, victims, PSIM, baselines) and write a report; re-runs skip finished steps") { config, preset.Option, outDir };
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            var c = StudyConfig.Load(r.GetValue(config), preset.Read(r));
            var done = Reproduction.Run(c, r.GetValue(outDir)!, Cli.Log, ct);
            Console.WriteLine($"study finished in {done.Elapsed.TotalMinutes:F1} min: {done.StepsRun} steps run, {done.StepsCached} from the cache; report: {done.ReportFile}");
            return ExitCode.Ok;
        }));
        return cmd;
    }

    /// <summary><c>psim study run-step</c> and <c>psim study report</c>: a prepared study driven step by step (what a scheduler does).</summary>
    public static Command Study()
    {
        var studyDir = new Option<string>("--study") { Description = "a study folder psim reproduce prepared (config.json, plan.json)", Required = true };
        var stepName = new Option<string>("--step") { Description = "the step's name, as plan.json gives it", Required = true };
        var runStep = new Command("run-step", "Run one step of a prepared study (its upstream steps must have finished); a finished step is not run again") { studyDir, stepName };
        runStep.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            Reproduction.RunStep(r.GetValue(studyDir)!, r.GetValue(stepName)!, Cli.Log, ct);
            return ExitCode.Ok;
        }));
        var reportDir = new Option<string>("--study") { Description = "a study folder", Required = true };
        var report = new Command("report", "Write the report of a study folder from the steps that have finished (runs nothing)") { reportDir };
        report.SetAction(r => Cli.Run(() =>
        {
            Console.WriteLine($"report: {Reproduction.Report(r.GetValue(reportDir)!, Cli.Log)}");
            return ExitCode.Ok;
        }));
        return new Command("study", "Drive a prepared study step by step (a scheduler's view of psim reproduce)") { runStep, report };
    }
}
