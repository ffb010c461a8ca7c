using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Psim.IO;
using Psim.Study;
using Psim.Files;

namespace Psim.Cli;

/// <summary><c>psim reproduce</c>: the whole study from one config, cached and resumable, with a report.</summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "study config (JSON, comments allowed); fields not given take the preset's values" };
        var preset = new Option<string>("--preset") { Description = "quick (one pair, fewer rows and epochs; well under an hour on 2 cores) or paper (the reference settings)", DefaultValueFactory = _ => "quick" };
        var outDir = new Option<string>("--out") { Description = "study folder: config.json, plan.json, cached steps, results.json, report.md, report.html, figures/", Required = true };
        var cmd = new Command("reproduce", "Run the paper's grid (poison, victims, PSIM, baselines) and write a report; re-runs skip finished steps") { config, preset, outDir };
        cmd.SetAction(r => Cli.RunCancellable(ct =>
        {
            Cli.ApplyThreads(r);
            var c = StudyConfig.Load(r.GetValue(config), Vocabulary<StudyPreset>.Parse(r.GetValue(preset), "--preset"));
            var dir = r.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(c, StudyConfig.Json));
            var sw = Stopwatch.StartNew();
            var plan = StudyPlan.Build(c, dir, Cli.Log);
            AtomicFile.WriteAllText(Path.Combine(dir, "plan.json"), plan.ToJson());
            var runner = new StudyRunner(plan, Cli.Log);
            try { runner.Run(ct); }
            finally
            {
                if (runner.Steps.Count > 0) StudyReport.Write(dir, c, runner.Steps, sw.Elapsed);
            }
            int ran = runner.Steps.Count(s => s.Ran), cached = runner.Steps.Count(s => !s.Ran && s.Skipped is null);
            Console.WriteLine($"study finished in {sw.Elapsed.TotalMinutes:F1} min: {ran} steps run, {cached} from the cache; report: {Path.GetFullPath(Path.Combine(dir, "report.md"))}");
            return ExitCode.Ok;
        }));
        return cmd;
    }
}
