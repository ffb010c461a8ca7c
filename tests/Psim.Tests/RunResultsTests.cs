using System.Globalization;
using System.Text.Json.Nodes;
using Psim.Workflows;

namespace Psim.Tests;

/// <summary><c>psim results</c>: tables read from the typed result files of real runs, and what a result file psim does not know does.</summary>
public sealed class RunResultsTests
{
    private static (string Runs, string Poisoned, string Victim) PoisonedAndVictim()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var runs = TestModels.TempDir();
        var poisoned = Path.Combine(runs, "poison-badnet");
        var (code, _, err) = TestCli.Psim(
            "poison",
            "--base",
            baseDir,
            "--attack",
            "badnet",
            "--trigger",
            "mn",
            "--data",
            dataDir,
            "--out",
            poisoned,
            "--poison-count",
            "8",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--max-length",
            "16"
        );
        Assert.True(code == 0, err);
        var victim = Path.Combine(runs, "nested", "victim-lora");
        (code, _, err) = TestCli.Psim(
            "finetune",
            "--model",
            poisoned,
            "--data",
            dataDir,
            "--out",
            victim,
            "--method",
            "lora",
            "--attack",
            "badnet",
            "--trigger",
            "mn",
            "--epochs",
            "1",
            "--batch-size",
            "16",
            "--max-length",
            "16"
        );
        Assert.True(code == 0, err);
        return (runs, poisoned, victim);
    }

    [Fact]
    public void Psim_results_prints_each_runs_numbers_from_its_result_file_and_lists_unfinished_runs()
    {
        var (runs, poisoned, victim) = PoisonedAndVictim();
        var running = Path.Combine(runs, "poison-killed");
        CopyFolder(poisoned, running);
        var run = JsonNode.Parse(File.ReadAllText(Path.Combine(running, "run.json")))!;
        run["status"] = "running";
        File.WriteAllText(Path.Combine(running, "run.json"), run.ToJsonString());

        var (code, output, err) = TestCli.Psim("results", runs);
        Assert.True(code == 0, err);
        var p = ResultFiles.Poison.Read(poisoned)!;
        var poisonRow = output
            .Split('\n')
            .Single(l => l.StartsWith($"| {Path.GetFileName(runs)}/poison-badnet |", StringComparison.Ordinal));
        Assert.Contains(
            $"| badnet | {p.Data} | 8 of 48 | {p.BestEpoch} | {Pct(p.CleanAccuracy)} | {Pct(p.AttackSuccessRate)} |",
            poisonRow
        );
        var v = ResultFiles.Finetune.Read(victim)!;
        var victimRow = output.Split('\n').Single(l => l.Contains("/nested/victim-lora |", StringComparison.Ordinal));
        Assert.Contains(
            $"| lora | badnet | {v.Data} | {v.TrainableParameters.ToString("N0", CultureInfo.InvariantCulture)} | {v.BestEpoch} | {Pct(v.CleanAccuracy)} | {Pct(v.AttackSuccessRate)} |",
            victimRow
        );
        Assert.DoesNotContain("| " + Path.GetFileName(runs) + "/poison-killed |", output);
        Assert.Contains("poison-killed (run.json says running", output);
    }

    [Fact]
    public void A_result_field_psim_does_not_know_is_refused_naming_the_file_not_shown_as_blank()
    {
        var (runs, poisoned, _) = PoisonedAndVictim();
        var metrics = Path.Combine(poisoned, "metrics.json");
        var m = JsonNode.Parse(File.ReadAllText(metrics))!.AsObject();
        var ca = m["clean_accuracy"]!.DeepClone();
        m.Remove("clean_accuracy");
        m["clean_acc"] = ca; // renamed on the writer's side only (an older psim, another tool)
        File.WriteAllText(metrics, m.ToJsonString());

        var (code, _, err) = TestCli.Psim("results", runs);
        Assert.Equal(1, code);
        Assert.Contains(metrics, err);
        Assert.Contains("clean_acc", err);
    }

    [Fact]
    public void Psim_results_refuses_folders_without_runs()
    {
        var (code, _, err) = TestCli.Psim("results", TestModels.TempDir());
        Assert.Equal(1, code);
        Assert.Contains("no psim run folders", err);
    }

    private static string Pct(double? v) => v is double x ? (100 * x).ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from))
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
