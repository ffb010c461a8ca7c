using System.Diagnostics;
using System.Text.Json;
using Psim.Files;

namespace Psim.Study;

/// <summary>What <c>psim reproduce --executor slurm</c> submitted: each step's job, and the report's.</summary>
public sealed record SlurmSubmission(IReadOnlyDictionary<string, string> StepJobs, string? ReportJob, int StepsCached);

/// <summary>
/// The study on Slurm: the plan is prepared here (config.json, plan.json), then every step that has not finished
/// becomes one <c>sbatch</c> job running <c>psim study run-step</c> against the shared study folder, with
/// <c>--dependency=afterok:</c> on the jobs of the steps it reads, and a last job writes the report from what finished
/// (<c>afterany</c>). Re-submitting skips finished steps, as the local executor does; results are the same numbers.
/// </summary>
public static class SlurmExecutor
{
    public const string JobsFile = "slurm-jobs.json";

    public static SlurmSubmission Submit(StudyConfig config, string dir, Action<string> log, bool force = false)
    {
        dir = Path.GetFullPath(dir);
        var plan = Reproduction.Prepare(config, dir, log, force);
        var s = config.Slurm;
        string psim = s.PsimCommand ?? ThisPsim();
        var logs = Path.Combine(dir, "slurm");
        Directory.CreateDirectory(logs);
        var jobs = new Dictionary<string, string>();
        int cached = 0;
        foreach (var step in plan.Steps)
        {
            if (step.Skipped is not null)
                continue;
            if (StepCache.IsDone(step))
            {
                cached++;
                continue;
            }
            var after = step.Upstream.Where(jobs.ContainsKey).Select(u => jobs[u]).ToList();
            jobs[step.Name] = Sbatch(
                s,
                $"psim-{step.Name}",
                Path.Combine(logs, $"{step.Name}-%j.out"),
                after,
                "afterok",
                $"{psim} study run-step --study {Quote(dir)} --step {Quote(step.Name)} --threads {s.CpusPerStep}"
            );
            log($"{step.Describe()}: job {jobs[step.Name]}{(after.Count > 0 ? $" after {string.Join(", ", after)}" : "")}");
        }
        string? report = null;
        if (jobs.Count > 0)
        {
            report = Sbatch(
                s with
                {
                    CpusPerStep = 1,
                },
                "psim-report",
                Path.Combine(logs, "report-%j.out"),
                [.. jobs.Values],
                "afterany",
                $"{psim} study report --study {Quote(dir)}"
            );
            log($"report: job {report} once every step's job has ended");
        }
        else
            Reproduction.Report(dir, log);
        var submission = new SlurmSubmission(jobs, report, cached);
        AtomicFile.WriteAllText(
            Path.Combine(dir, JobsFile),
            JsonSerializer.Serialize(submission, new JsonSerializerOptions { WriteIndented = true })
        );
        return submission;
    }

    /// <summary>
    /// Waits until every submitted job has left the queue. A step job that left the queue without finishing its
    /// step (it failed, was cancelled or timed out) ends the wait at once: the submission's other jobs are
    /// cancelled (a rerun resubmits every unfinished step, and must not find a job still writing one), and the
    /// error names the step and its job log.
    /// </summary>
    public static void Wait(SlurmSubmission submission, string dir, Action<string> log, CancellationToken ct = default)
    {
        var ids = submission.StepJobs.Values.Append(submission.ReportJob).OfType<string>().ToHashSet();
        var (_, plan) = Reproduction.Open(dir, log);
        var steps = plan.Steps.ToDictionary(x => x.Name);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var queued = Queued(ids);
            var failed = submission.StepJobs.Where(j => !queued.Contains(j.Value) && !StepCache.IsDone(steps[j.Key])).ToList();
            if (failed.Count > 0)
            {
                var cancelled = queued.ToList();
                if (cancelled.Count > 0)
                    Run("scancel", cancelled);
                for (var t = Stopwatch.StartNew(); Queued(ids).Count > 0 && t.Elapsed < TimeSpan.FromSeconds(30); )
                    Thread.Sleep(500); // cancelled jobs leave the queue
                var logs = failed.Select(f => $"{f.Key} (job {f.Value}, log {Path.Combine(dir, "slurm", $"{f.Key}-{f.Value}.out")})");
                throw new PsimException(
                    $"{failed.Count} step(s) failed on Slurm: {string.Join("; ", logs)}; {cancelled.Count} other job(s) of this study were cancelled. "
                        + "Run psim reproduce again to resubmit the unfinished steps; finished steps come from the cache."
                );
            }
            if (queued.Count == 0)
                break;
            log($"slurm: {queued.Count} of {ids.Count} jobs queued or running ({clock.Elapsed:hh\\:mm\\:ss} elapsed)");
            ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(2));
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Which of <paramref name="ids"/> are still queued or running (this study's jobs only).</summary>
    private static HashSet<string> Queued(IReadOnlySet<string> ids) =>
        Run("squeue", ["-h", "-o", "%i"])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(ids.Contains)
            .ToHashSet();

    private static string Sbatch(
        SlurmSettings s,
        string name,
        string output,
        IReadOnlyList<string> after,
        string dependency,
        string command
    )
    {
        var args = new List<string> { "--parsable", $"--job-name={name}", $"--output={output}", $"--cpus-per-task={s.CpusPerStep}" };
        if (s.Partition is not null)
            args.Add($"--partition={s.Partition}");
        if (s.Time is not null)
            args.Add($"--time={s.Time}");
        if (s.Memory is not null)
            args.Add($"--mem={s.Memory}");
        if (after.Count > 0)
            args.Add($"--dependency={dependency}:{string.Join(':', after)}");
        if (dependency == "afterok")
            args.Add("--kill-on-invalid-dep=yes"); // a failed upstream step cancels this job instead of leaving it pending for ever
        args.AddRange(s.SbatchArgs);
        args.Add($"--wrap={command}");
        var id = Run("sbatch", args).Trim().Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsDigit))
            throw new PsimException($"sbatch answered '{id}', not a job id");
        return id;
    }

    private static string Run(string tool, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PsimException($"{tool}: cannot run it ({e.Message}); is Slurm installed on this machine (docs/cluster.md)?");
        }
        using (p)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new PsimException($"{tool} {string.Join(' ', args.Take(3))} ...: exit code {p.ExitCode}: {stderr.Trim()}");
            return stdout.Result;
        }
    }

    /// <summary>The command that started this psim: the apphost of the .NET tool, or dotnet with Psim.Cli.dll.</summary>
    private static string ThisPsim()
    {
        var host = Environment.ProcessPath
            ?? throw new PsimException("cannot tell how this psim was started; set slurm.psim_command in the config");
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" && entry is { Length: > 0 }
            ? $"{Quote(host)} {Quote(entry)}"
            : Quote(host);
    }

    /// <summary>One word for sh (the job's --wrap is run by a shell).</summary>
    public static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
