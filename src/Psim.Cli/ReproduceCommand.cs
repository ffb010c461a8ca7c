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
}
