using System.Text.Json;
using Psim.Attacks;
using Psim.Defense;
using Psim.IO;
using Psim.Peft;
using Psim.Study;

namespace Psim.Tests;

/// <summary>The study runner on a tiny model: caching, resuming after a stop, and the report.</summary>
public class StudyTests
{
    private static (StudyConfig Config, string Out) TinyStudy()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var root = TestModels.TempDir();
        foreach (var name in new[] { "proxy", "victim" })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            foreach (var f in Directory.GetFiles(dataDir))
                File.Copy(f, Path.Combine(root, name, Path.GetFileName(f)));
        }
        File.Copy(Path.Combine(dataDir, "test.jsonl"), Path.Combine(root, "victim", "test_backtranslated.jsonl"));
        var config = new StudyConfig
        {
            BaseModel = baseDir,
            DataRoot = root,
            TaskPairs = [new("proxy", "victim")],
            Attacks = [AttackKind.BadNet, AttackKind.SynAttack],
            Strategies = [TuningMethod.Full, TuningMethod.Lora],
            Defenses = [DefenseKind.Psim, DefenseKind.Onion, DefenseKind.Strip, DefenseKind.Backtranslation],
            Poison = new PoisonSettings
            {
                Epochs = 1,
                MaxLength = 16,
                PoisonCount = 6,
            },
            Victim = new VictimSettings { Epochs = 1, MaxLength = 16 },
            Psim = new PsimSettings { TargetFrr = 0.1 },
            Baselines = new BaselineSettings { Strategies = [TuningMethod.Lora] },
            DefenseSettingsGiven = new() { ["strip"] = new System.Text.Json.Nodes.JsonObject { ["copies"] = 2 } },
        };
        return (config, TestModels.TempDir());
    }

    [Fact]
    public void Plan_only_writes_the_config_and_the_plan_and_runs_no_step()
    {
        var (config, outDir) = TinyStudy();
        var path = Path.Combine(TestModels.TempDir(), "study.json");
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(config, StudyConfig.Json));
        var (code, output, err) = TestCli.Psim("reproduce", "--config", path, "--out", outDir, "--plan-only");
        Assert.True(code == 0, err);
        Assert.StartsWith("plan: 10 steps, 0 finished already, 9 to run, 1 skipped;", output.Trim());
        Assert.True(File.Exists(Path.Combine(outDir, Reproduction.ConfigFile)));
        Assert.Equal(StudyPlan.Build(config, outDir).ToJson(), File.ReadAllText(Path.Combine(outDir, Reproduction.PlanFile)));
        Assert.Empty(Directory.EnumerateFiles(outDir, "step.json", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(outDir, "report.md")));
    }

    [Fact]
    public void A_stopped_study_resumes_without_redoing_finished_steps()
    {
        var (config, outDir) = TinyStudy();
        var first = new StudyRunner(StudyPlan.Build(config, outDir), _ => { })
        {
            OnStep = s =>
            {
                if (s.Step.Kind == StepKind.Victim && s.Step.Strategy == TuningMethod.Full)
                    throw new OperationCanceledException("simulated kill");
            },
        };
        Assert.Throws<OperationCanceledException>(() => first.Run());
        var doneFirst = first.Steps.Where(s => s.Ran).Select(s => s.Step.Dir).ToList();
        Assert.Equal(2, doneFirst.Count); // poison, then the full victim

        var second = new StudyRunner(StudyPlan.Build(config, outDir), _ => { });
        second.Run();
        var cached = second.Steps.Where(s => !s.Ran && s.Step.Skipped is null).Select(s => s.Step.Dir).ToList();
        Assert.Equal(doneFirst.Order(), cached.Order());
        // poison, 2 victims, detector, 2 x 2 PSIM evaluations, 1 baselines step; SynAttack is skipped (no paraphrased files)
        Assert.Equal(9, second.Steps.Count(s => s.Step.Skipped is null));
        Assert.Contains(second.Steps, s => s.Step.Attack == AttackKind.SynAttack && s.Step.Skipped is not null);

        var third = new StudyRunner(StudyPlan.Build(config, outDir), _ => { });
        third.Run();
        Assert.All(third.Steps.Where(s => s.Step.Skipped is null), s => Assert.False(s.Ran));

        StudyReport.Write(outDir, config, third.Steps, TimeSpan.FromMinutes(1));
        var md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("## Victims: CA / ASR by attack and strategy", md);
        Assert.Contains("| proxy->victim | badnet | lora |", md);
        Assert.Contains("Kneser-Ney", md);
        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("data:image/png;base64,", html);
        Assert.True(File.Exists(Path.Combine(outDir, "figures", "ca-asr-proxy-to-victim.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "figures", "roc-proxy-to-victim.png")));
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        Assert.Equal(2, results.RootElement.GetProperty("victims").GetArrayLength());
    }

    [Fact]
    public void Changing_a_setting_reruns_only_the_steps_it_feeds()
    {
        var (config, outDir) = TinyStudy();
        config = config with { Attacks = [AttackKind.BadNet], Defenses = [DefenseKind.Psim], Strategies = [TuningMethod.Lora] };
        var a = new StudyRunner(StudyPlan.Build(config, outDir), _ => { });
        a.Run();
        var changed = config with { Psim = config.Psim with { Threshold = 0.8 } };
        var b = new StudyRunner(StudyPlan.Build(changed, outDir), _ => { });
        b.Run();
        Assert.Equal([StepKind.PsimFixed], b.Steps.Where(s => s.Ran).Select(s => s.Step.Kind));
    }

    [Fact]
    public void Seed_spread_is_the_mean_and_sample_standard_deviation_of_the_seeds_that_have_a_value()
    {
        var s = SeedSpread.Of([0.80, 0.90, 0.85])!;
        Assert.Equal(0.85, s.Mean, 12);
        Assert.Equal(0.05, s.Sd, 12); // sqrt((0.05² + 0.05² + 0) / (3 − 1))
        Assert.Equal("85.0 ± 5.0", s.Format(3));
        var partial = SeedSpread.Of([0.8, null, double.NaN])!;
        Assert.Equal((0.8, 0.0, 1), (partial.Mean, partial.Sd, partial.N));
        Assert.Equal("80.0 (n=1)", partial.Format(3));
        Assert.Equal("0.512", SeedSpread.Of([0.512])!.Format(1, 1, "F3"));
        Assert.Null(SeedSpread.Of([null]));
    }

    [Fact]
    public void A_study_over_two_seeds_reports_each_cell_as_mean_and_spread_and_keeps_every_seed()
    {
        var (config, outDir) = TinyStudy();
        config = config with
        {
            Attacks = [AttackKind.BadNet],
            Defenses = [DefenseKind.Psim],
            Strategies = [TuningMethod.Lora],
            Seeds = [1, 2],
        };
        var runner = new StudyRunner(StudyPlan.Build(config, outDir), _ => { });
        runner.Run();
        StudyReport.Write(outDir, config, runner.Steps, TimeSpan.FromMinutes(1));
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var victims = results.RootElement.GetProperty("victims").EnumerateArray().ToList();
        Assert.Equal([1L, 2L], victims.Select(v => v.GetProperty("seed").GetInt64()));
        var ca = victims.Select(v => (double?)v.GetProperty("victim").GetProperty("clean_accuracy").GetDouble()).ToList();
        var asr = victims.Select(v => (double?)v.GetProperty("victim").GetProperty("attack_success_rate").GetDouble()).ToList();
        var md = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains($"| badnet | {SeedSpread.Of(ca)!.Format(2)} / {SeedSpread.Of(asr)!.Format(2)} |", md);
        Assert.Contains("mean ± sample standard deviation over the 2 seeds", md);
        Assert.Contains("| proxy->victim | badnet | 1, 2 |", md); // the poisoned models, both seeds in one row
        Assert.True(File.Exists(Path.Combine(outDir, "figures", "asr-by-epoch-proxy-to-victim-badnet.png"))); // dev ASR after each epoch
        Assert.True(File.Exists(Path.Combine(outDir, "figures", "psim-thresholds-proxy-to-victim-badnet.png"))); // FRR and ASR across thresholds
        var evaluation = runner.Steps.First(x => x.Step.Kind == StepKind.PsimCalibrated).Step.Dir;
        using var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluation, "scores.json")));
        Assert.Equal(
            scores.RootElement.GetProperty("poisoned").GetArrayLength(),
            scores.RootElement.GetProperty("poisoned_to_target").GetArrayLength()
        );
    }

    [Fact]
    public void Config_files_are_validated_with_their_name()
    {
        var path = Path.Combine(TestModels.TempDir(), "study.json");
        File.WriteAllText(path, "{ // comment\n \"attacks\": [\"badnet\", \"nope\"], }");
        var (code, _, err) = TestCli.Psim("reproduce", "--config", path, "--out", TestModels.TempDir());
        Assert.Equal(1, code);
        Assert.Contains("study.json: attacks[1]: 'nope' is not one of badnet, insent, synattack", err);
        File.WriteAllText(path, "{ \"atacks\": [] }");
        (code, _, err) = TestCli.Psim("reproduce", "--config", path, "--out", TestModels.TempDir());
        Assert.Equal(1, code);
        Assert.Contains("atacks", err);
    }

    [Fact]
    public void A_study_driven_step_by_step_gives_the_local_executors_numbers()
    {
        var (config, localDir) = TinyStudy();
        config = config with
        {
            Attacks = [AttackKind.BadNet],
            Defenses = [DefenseKind.Psim, DefenseKind.Strip],
            Strategies = [TuningMethod.Lora],
        };
        var configFile = Path.Combine(TestModels.TempDir(), "tiny.json");
        File.WriteAllText(configFile, JsonSerializer.Serialize(config, StudyConfig.Json));
        var (code, _, err) = TestCli.Psim("reproduce", "--config", configFile, "--out", localDir);
        Assert.True(code == 0, err);

        // the way a scheduler drives it: prepare, one process per step in plan order, then the report
        var byStep = TestModels.TempDir();
        var plan = Reproduction.Prepare(config, byStep, _ => { });
        var first = plan.Steps.First(s => s.Upstream.Count > 0);
        (code, _, err) = TestCli.Psim("study", "run-step", "--study", byStep, "--step", first.Name);
        Assert.Equal(1, code);
        Assert.Contains("have not finished", err);
        (code, _, err) = TestCli.Psim("study", "run-step", "--study", byStep, "--step", "no-such-step");
        Assert.Equal(1, code);
        Assert.Contains("no step no-such-step", err);
        foreach (var step in plan.Steps.Where(s => s.Skipped is null))
        {
            (code, _, err) = TestCli.Psim("study", "run-step", "--study", byStep, "--step", step.Name);
            Assert.True(code == 0, $"{step.Name}: {err}");
        }
        (code, _, err) = TestCli.Psim("study", "report", "--study", byStep);
        Assert.True(code == 0, err);
        // byte for byte: durations live in timing.json, paths inside the study folder are relative
        Assert.Equal(File.ReadAllText(Path.Combine(localDir, "results.json")), File.ReadAllText(Path.Combine(byStep, "results.json")));
        Assert.Contains("steps_run", File.ReadAllText(Path.Combine(byStep, "timing.json")));
        Assert.DoesNotContain(byStep, File.ReadAllText(Path.Combine(byStep, "results.json")));
        Assert.Contains("| badnet |", File.ReadAllText(Path.Combine(byStep, "report.md")));
    }

    /// <summary>
    /// On a real Slurm (build/slurm-local.sh; .ci/run starts one and sets PSIM_REQUIRE_SLURM=1, so there this test
    /// cannot pass without it): one job per step with dependencies, the report job, the local executor's numbers,
    /// and a re-submission that finds every step finished. Without Slurm and without that variable it returns early.
    /// </summary>
    [Fact]
    public void On_a_real_slurm_a_study_runs_one_job_per_step_and_gives_the_local_executors_numbers()
    {
        bool have =
            File.Exists("/usr/bin/sbatch")
            && System.Diagnostics.Process.Start(
                new System.Diagnostics.ProcessStartInfo("sinfo", "-h") { RedirectStandardOutput = true, RedirectStandardError = true }
            )
                is { } p
            && p.WaitForExit(10_000)
            && p.ExitCode == 0;
        if (!have)
        {
            Assert.True(
                Environment.GetEnvironmentVariable("PSIM_REQUIRE_SLURM") != "1",
                "PSIM_REQUIRE_SLURM=1 but no Slurm answers (build/slurm-local.sh start)"
            );
            return;
        }
        var (config, localDir) = TinyStudy();
        var cli = Path.Combine(AppContext.BaseDirectory, "Psim.Cli.dll");
        config = config with
        {
            Attacks = [AttackKind.BadNet],
            Defenses = [DefenseKind.Psim],
            Strategies = [TuningMethod.Full, TuningMethod.Lora],
            Slurm = new SlurmSettings
            {
                CpusPerStep = 1,
                PsimCommand = $"dotnet {SlurmExecutor.Quote(cli)}",
                SbatchArgs = ["--time=10"],
            },
        };
        var configFile = Path.Combine(TestModels.TempDir(), "tiny.json");
        File.WriteAllText(configFile, JsonSerializer.Serialize(config, StudyConfig.Json));
        var (code, _, err) = TestCli.Psim("reproduce", "--config", configFile, "--out", localDir);
        Assert.True(code == 0, err);

        var slurmDir = TestModels.TempDir();
        string outText;
        (code, outText, err) = TestCli.Psim("reproduce", "--config", configFile, "--out", slurmDir, "--executor", "slurm", "--wait");
        Assert.True(code == 0, err);
        var plan = StudyPlan.Build(config, slurmDir);
        using (var jobs = JsonDocument.Parse(File.ReadAllText(Path.Combine(slurmDir, SlurmExecutor.JobsFile))))
            Assert.Equal(plan.Steps.Count(s => s.Skipped is null), jobs.RootElement.GetProperty("StepJobs").EnumerateObject().Count());
        Assert.Contains("study finished on Slurm", outText);
        for (int i = 0; i < 50 && !File.Exists(Path.Combine(slurmDir, "results.json")); i++)
            Thread.Sleep(200); // the report job's file
        Assert.Equal(File.ReadAllText(Path.Combine(localDir, "results.json")), File.ReadAllText(Path.Combine(slurmDir, "results.json")));
        // the dependencies Slurm was given: each step's job waits for its upstream steps' jobs
        Assert.Contains("after", err);

        (code, outText, err) = TestCli.Psim("reproduce", "--config", configFile, "--out", slurmDir, "--executor", "slurm");
        Assert.True(code == 0, err);
        Assert.Contains("every step was finished already", outText);
    }

    /// <summary>
    /// Issue 27: a step job that fails on Slurm ends <c>--wait</c> at once (non-zero, naming the step and its job
    /// log), its downstream jobs do not stay pending for ever, and a rerun resubmits only the unfinished steps.
    /// </summary>
    [Fact]
    public void On_a_real_slurm_a_failing_step_ends_the_wait_with_its_name_and_a_rerun_resubmits_only_what_is_unfinished()
    {
        if (!SlurmAnswers())
            return;
        var (config, _) = TinyStudy();
        var cli = Path.Combine(AppContext.BaseDirectory, "Psim.Cli.dll");
        var wrapper = Path.Combine(TestModels.TempDir(), "crashing-psim.sh");
        File.WriteAllText(
            wrapper,
            $"#!/bin/sh\ncase \"$*\" in *lora*) echo 'simulated crash' >&2; exit 3;; esac\nexec dotnet {SlurmExecutor.Quote(cli)} \"$@\"\n"
        );
        config = config with
        {
            Attacks = [AttackKind.BadNet],
            Defenses = [DefenseKind.Psim],
            Strategies = [TuningMethod.Full, TuningMethod.Lora],
            Slurm = new SlurmSettings
            {
                CpusPerStep = 1,
                PsimCommand = $"sh {SlurmExecutor.Quote(wrapper)}",
                SbatchArgs = ["--time=10"],
            },
        };
        var configFile = Path.Combine(TestModels.TempDir(), "crashing.json");
        File.WriteAllText(configFile, JsonSerializer.Serialize(config, StudyConfig.Json));
        var dir = TestModels.TempDir();

        var (code, _, err) = TestCli.Psim("reproduce", "--config", configFile, "--out", dir, "--executor", "slurm", "--wait");

        Assert.True(code == 1, err);
        var plan = StudyPlan.Build(config, dir);
        var lora = plan.Steps.First(x => x.Name.Contains("lora") && x.Skipped is null);
        Assert.Contains("failed on Slurm", err);
        Assert.Contains(lora.Name, err);
        Assert.Contains(Path.Combine(dir, "slurm", lora.Name + "-"), err);
        Assert.DoesNotContain(SlurmQueue(), id => File.ReadAllText(Path.Combine(dir, SlurmExecutor.JobsFile)).Contains($"\"{id}\""));

        File.WriteAllText(
            configFile,
            JsonSerializer.Serialize(
                config with
                {
                    Slurm = config.Slurm with { PsimCommand = $"dotnet {SlurmExecutor.Quote(cli)}" },
                },
                StudyConfig.Json
            )
        );
        int unfinished = plan.Steps.Count(x => x.Skipped is null && !StepCache.IsDone(x));
        Assert.InRange(unfinished, 1, plan.Steps.Count(x => x.Skipped is null) - 1); // the full victim's branch finished and stays cached
        (code, _, err) = TestCli.Psim("reproduce", "--config", configFile, "--out", dir, "--executor", "slurm", "--wait");
        Assert.True(code == 0, err);
        using var jobs = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, SlurmExecutor.JobsFile)));
        Assert.Equal(unfinished, jobs.RootElement.GetProperty("StepJobs").EnumerateObject().Count());
    }

    private static bool SlurmAnswers()
    {
        bool have =
            File.Exists("/usr/bin/sbatch")
            && System.Diagnostics.Process.Start(
                new System.Diagnostics.ProcessStartInfo("sinfo", "-h") { RedirectStandardOutput = true, RedirectStandardError = true }
            )
                is { } p
            && p.WaitForExit(10_000)
            && p.ExitCode == 0;
        Assert.True(
            have || Environment.GetEnvironmentVariable("PSIM_REQUIRE_SLURM") != "1",
            "PSIM_REQUIRE_SLURM=1 but no Slurm answers (build/slurm-local.sh start)"
        );
        return have;
    }

    private static string[] SlurmQueue()
    {
        using var p = System.Diagnostics.Process.Start(
            new System.Diagnostics.ProcessStartInfo("squeue", "-h -o %i") { RedirectStandardOutput = true }
        )!;
        var ids = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        p.WaitForExit();
        return ids;
    }
}
