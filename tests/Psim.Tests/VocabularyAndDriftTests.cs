using System.CommandLine;
using System.Text.Json;
using Psim.Attacks;
using Psim.Cli;
using Psim.Runtime;
using Psim.Study;
using Psim.Workflows;

namespace Psim.Tests;

/// <summary>Vocabularies parsed in one place, and the drift bugs that parsing by hand let in.</summary>
public class VocabularyAndDriftTests
{
    [Fact]
    public void Names_are_kebab_case_or_given_and_an_unknown_name_lists_the_valid_ones()
    {
        Assert.Equal(["poisoned-dev", "clean-dev", "balanced"], Vocabulary<EpochSelection>.Names);
        Assert.Equal(
            ["badnet", "insent", "synattack", "ep", "ripple", "ripples", "lwp", "sos", "por", "neuba"],
            Vocabulary<AttackKind>.Names
        );
        Assert.Equal(["full", "lora", "prompt", "ptuning", "prefix", "adapter"], Vocabulary<Psim.Peft.TuningMethod>.Names);
        Assert.Equal(EpochSelection.CleanDev, Vocabulary<EpochSelection>.Parse("Clean-Dev", "--select-by"));
        var e = Assert.Throws<PsimException>(() => Vocabulary<EpochSelection>.Parse("clean_dev", "--select-by"));
        Assert.Equal("--select-by: 'clean_dev' is not one of poisoned-dev, clean-dev, balanced", e.Message);
        var json = new JsonSerializerOptions { Converters = { new VocabularyJsonConverter() } };
        Assert.Equal(
            "[\"synattack\",\"dirty-label\"]",
            JsonSerializer.Serialize(new object[] { AttackKind.SynAttack, PoisonMode.DirtyLabel }, json)
        );
        Assert.Equal(AttackKind.InSent, JsonSerializer.Deserialize<AttackKind>("\"insent\"", json));
    }

    private static string ConfigFile(string json)
    {
        var path = Path.Combine(TestModels.TempDir(), "study.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void A_study_config_with_an_unknown_epoch_rule_is_refused_not_run_as_the_default()
    {
        // the old runner mapped every unknown select_by to poisoned-dev
        var e = Assert.Throws<PsimFormatException>(() =>
            StudyConfig.Load(ConfigFile("""{ "poison": { "select_by": "clean_dev" } }"""), StudyPreset.Quick)
        );
        Assert.Contains("'clean_dev' is not one of poisoned-dev, clean-dev, balanced", e.Message);
        Assert.Contains("study.json: poison.select_by: ", e.Message);
        var c = StudyConfig.Load(
            ConfigFile("""{ "poison": { "select_by": "clean-dev" }, /* comment */ "attacks": ["insent"], }"""),
            StudyPreset.Quick
        );
        Assert.Equal(EpochSelection.CleanDev, c.Poison.SelectBy);
        Assert.Equal(StudyConfig.Quick.Poison.Epochs, c.Poison.Epochs); // the section's other fields keep the preset's values
        Assert.Equal([AttackKind.InSent], c.Attacks);
        Assert.Throws<PsimFormatException>(() => StudyConfig.Load(ConfigFile("""{ "attacks": ["syntax"] }"""), StudyPreset.Paper));
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("json")]
    [InlineData("tsv")]
    public void The_study_finds_SynAttack_files_in_every_format_the_readers_accept(string ext)
    {
        // the old runner looked for train_synattack.json and test_synattack.json only
        var (proxy, victim) = (TestModels.TempDir(), TestModels.TempDir());
        Assert.Contains("train_synattack", SynAttackFiles.Missing(AttackKind.SynAttack, proxy, victim));
        File.WriteAllText(Path.Combine(proxy, $"train_synattack.{ext}"), "");
        File.WriteAllText(Path.Combine(proxy, $"test_synattack.{ext}"), "");
        Assert.Contains(victim, SynAttackFiles.Missing(AttackKind.SynAttack, proxy, victim));
        File.WriteAllText(Path.Combine(victim, $"test_synattack.{ext}"), "");
        Assert.Null(SynAttackFiles.Missing(AttackKind.SynAttack, proxy, victim));
        Assert.Null(SynAttackFiles.Missing(AttackKind.BadNet, TestModels.TempDir(), TestModels.TempDir()));
    }

    private static string Status(string dir) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, RunRecord.FileName))).RootElement.GetProperty("status").GetString()!;

    [Fact]
    public void A_run_that_fails_says_so_in_run_json_and_readers_refuse_its_folder()
    {
        var dir = TestModels.TempDir();
        var e = Assert.Throws<InvalidOperationException>(() =>
            new RunRecord { Command = "test", Kind = Psim.Files.OutputKind.Finetune }.Execute<int>(dir, null, () =>
                throw new InvalidOperationException("disk on fire")
            )
        );
        Assert.Equal("failed", Status(dir));
        Assert.Contains("disk on fire", File.ReadAllText(Path.Combine(dir, RunRecord.FileName)));
        Assert.Contains("failed", Assert.Throws<PsimException>(() => Psim.IO.RunFile.RequireFinished(dir)).Message);

        Assert.Throws<PsimInterruptedException>(() =>
            new RunRecord { Kind = Psim.Files.OutputKind.Finetune }.Execute<int>(dir, null, () =>
                throw new PsimInterruptedException("stopped")
            )
        );
        Assert.Equal("interrupted", Status(dir));
        Psim.IO.RunFile.RequireFinished(dir); // what an interrupted run kept is usable

        Assert.Equal(7, new RunRecord { Kind = Psim.Files.OutputKind.Finetune }.Execute(dir, null, () => 7));
        Assert.Equal("finished", Status(dir));
    }

    [Fact]
    public void Data_poison_does_not_take_a_poisoned_test_file_it_would_ignore()
    {
        var dir = TestModels.TempDir();
        var data = Path.Combine(dir, "rows.jsonl");
        File.WriteAllLines(
            data,
            Enumerable.Range(0, 8).Select(i => JsonSerializer.Serialize(new { sentence = "a good movie", label = i % 2 }))
        );
        var (code, _, err) = TestCli.Psim(
            "data",
            "poison",
            "--data",
            data,
            "--out",
            Path.Combine(dir, "out.jsonl"),
            "--attack",
            "badnet",
            "--poison-count",
            "2",
            "--poisoned-test",
            data
        );
        Assert.NotEqual(0, code);
        Assert.Contains("--poisoned-test", err);
        Assert.Equal(
            0,
            TestCli
                .Psim(
                    "data",
                    "poison",
                    "--data",
                    data,
                    "--out",
                    Path.Combine(dir, "out.jsonl"),
                    "--attack",
                    "badnet",
                    "--poison-count",
                    "2"
                )
                .Code
        );
    }

    [Fact]
    public void Defend_baselines_reads_the_poisoned_test_file_it_is_given()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var given = Path.Combine(TestModels.TempDir(), "my_paraphrases.jsonl");
        var (code, _, err) = TestCli.Psim(
            "defend",
            "baselines",
            "--model",
            baseDir,
            "--data",
            dataDir,
            "--out",
            TestModels.TempDir(),
            "--attack",
            "synattack",
            "--poisoned-test",
            given,
            "--defense",
            "scpd",
            "--max-length",
            "16"
        );
        Assert.Equal(1, code);
        Assert.Contains("my_paraphrases.jsonl", err); // the old command ignored it and asked for test_synattack in the data folder
    }

    [Fact]
    public void Every_command_that_reads_task_files_takes_the_data_reading_flags()
    {
        var missing = new List<string>();
        void Walk(Command c, string path)
        {
            var names = c.Options.Select(o => o.Name).ToHashSet();
            if (names.Contains("--data"))
                foreach (var flag in new[] { "--allow-empty-text", "--text-column", "--label-column" })
                    if (!names.Contains(flag))
                        missing.Add($"{path}: {flag}");
            foreach (var s in c.Subcommands)
                Walk(s, $"{path} {s.Name}");
        }
        Walk(PsimApp.Build(), "psim");
        Assert.Empty(missing);
    }

    [Fact]
    public void Vocabulary_options_refuse_unknown_names_at_parse_time()
    {
        var (code, _, err) = TestCli.Psim("poison", "--data", TestModels.TempDir(), "--out", TestModels.TempDir(), "--attack", "badnett");
        Assert.NotEqual(0, code);
        Assert.Contains("'badnett' is not one of badnet, insent, synattack", err);
        (code, _, err) = TestCli.Psim(
            "poison",
            "--data",
            TestModels.TempDir(),
            "--out",
            TestModels.TempDir(),
            "--attack",
            "badnet",
            "--select-by",
            "clean_dev"
        );
        Assert.NotEqual(0, code);
        Assert.Contains("'clean_dev' is not one of poisoned-dev, clean-dev, balanced", err);
        // an unknown defence used to be accepted and silently not run
        (code, _, err) = TestCli.Psim(
            "defend",
            "baselines",
            "--model",
            "m",
            "--data",
            "d",
            "--out",
            "o",
            "--attack",
            "badnet",
            "--defense",
            "onion",
            "onoin"
        );
        Assert.NotEqual(0, code);
        Assert.Contains("'onoin' is not one of psim, onion, strip, backtranslation, scpd", err);
        var e = Assert.Throws<PsimFormatException>(() =>
            StudyConfig.Load(ConfigFile("""{ "defenses": ["psim", "spcd"] }"""), StudyPreset.Quick)
        );
        Assert.Contains("defenses[1]: 'spcd' is not one of", e.Message);
    }
}
