using System.Security.Cryptography;
using Psim.Files;

namespace Psim.Tests;

/// <summary>
/// Issue 27, class 1 (data loss): one rule for every output. Each case runs over every command that writes,
/// so a new command inherits it by adding one line to <see cref="Commands"/>.
/// </summary>
public class OutputSafetyTests
{
    /// <summary>Every writing command with its arguments; {model} and {data} are inputs, {out} the output.</summary>
    public static TheoryData<string, bool> Commands() =>
        new()
        {
            { "poison --base {model} --attack badnet --poison-count 8 --data {data} --epochs 1 --max-length 8 --out {out}", true },
            { "finetune --model {model} --method lora --data {data} --epochs 1 --max-length 8 --out {out}", true },
            { "detector train --model {model} --data {data} --epochs 1 --max-length 8 --out {out}", true },
            { "model export --model {model} --out {out}", true },
            { "defend baselines --model {model} --data {data} --attack badnet --defense onion --out {out}", true },
            { "reproduce --config {config} --out {out}", true },
            { "data poison --data {data}/train.jsonl --attack badnet --out {out}", false },
            { "evaluate --model {model} --data {data} --max-length 8 --out {out}", false },
        };

    /// <summary>Runs the command with <paramref name="output"/> as its --out and asserts it is refused (exit 1) with <paramref name="reason"/> in the message.</summary>
    private static void Refused(string template, string model, string data, string output, string reason)
    {
        if (template.Contains("{config}"))
        {
            var config = Path.Combine(TestModels.TempDir(), "study.json");
            File.WriteAllText(config, $$"""{"data_root": "{{data}}", "base_model": "{{model}}"}""");
            template = template.Replace("{config}", config);
        }
        var args = template
            .Replace("{model}", model)
            .Replace("{data}", data)
            .Replace("{out}", output)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (code, _, err) = TestCli.Psim(args);
        Assert.True(code == 1 && err.Contains(reason), $"{output}: {err}");
    }

    private static string Hash(string path) =>
        Directory.Exists(path)
            ? string.Join(
                ",",
                Directory
                    .EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories)
                    .Order()
                    .Select(p => $"{p}:{(File.Exists(p) ? Hash(p) : "dir")}")
            )
            : Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_folder_or_file_of_the_users_is_never_written(string command, bool folder)
    {
        var (model, data) = TestModels.TinyTask();
        var users = TestModels.TempDir();
        var notes = Path.Combine(users, "notes.txt");
        File.WriteAllText(notes, "my notes");
        File.WriteAllText(Path.Combine(users, "draft.tmp-999999-abc"), "looks like a temp file");
        var target = folder ? users : notes;
        var before = Hash(users);

        Refused(command, model, data, target, folder ? "did not write" : "exists");

        Assert.Equal(before, Hash(users));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void An_input_is_never_the_output_nor_around_it(string command, bool folder)
    {
        var (model, data) = TestModels.TinyTask();
        var (modelBefore, dataBefore) = (Hash(model), Hash(data));
        bool readsModel = command.Contains("{model}"),
            readsData = command.Contains("{data}");
        string[] targets = (
            folder
                ? new[]
                {
                    readsModel ? model : null,
                    readsData ? data : null,
                    readsModel ? Path.Combine(model, "sub") : null,
                    Path.GetDirectoryName(data),
                }
                : new[] { readsData ? Path.Combine(data, "train.jsonl") : null, readsModel ? Path.Combine(model, "config.json") : null }
        )
            .OfType<string>()
            .ToArray();
        foreach (var target in targets)
            Refused(command, model, data, target, "input");
        Assert.Equal(modelBefore, Hash(model));
        Assert.Equal(dataBefore, Hash(data));
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_symbolic_link_is_never_replaced(string command, bool folder)
    {
        var (model, data) = TestModels.TinyTask();
        var dir = TestModels.TempDir();
        var link = Path.Combine(dir, "link");
        var pointed = folder ? TestModels.TempDir() : Path.Combine(dir, "pointed.txt");
        if (folder)
            Directory.CreateSymbolicLink(link, pointed);
        else
        {
            File.WriteAllText(pointed, "x");
            File.CreateSymbolicLink(link, pointed);
        }

        Refused(command, model, data, link, "symbolic link");

        Assert.True(FilePaths.IsSymbolicLink(link));
        if (folder)
            Assert.Empty(Directory.EnumerateFileSystemEntries(pointed));
    }

    [Fact]
    public void A_psim_folder_is_reused_for_its_own_kind_and_replaced_for_another_only_with_force()
    {
        var dir = Path.Combine(TestModels.TempDir(), "out");
        OutputFolder.Claim(dir, OutputKind.Finetune, [], force: false);
        File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
        OutputFolder.Claim(dir, OutputKind.Finetune, [], force: false); // a rerun of the same command
        var e = Assert.Throws<PsimException>(() => OutputFolder.Claim(dir, OutputKind.Poison, [], force: false));
        Assert.Contains("psim finetune folder", e.Message);
        OutputFolder.Claim(dir, OutputKind.Poison, [], force: true);
        OutputFolder.Claim(dir, OutputKind.Poison, [], force: false); // now marked as the new kind

        var users = TestModels.TempDir();
        File.WriteAllText(Path.Combine(users, "a.txt"), "a");
        Assert.Throws<PsimException>(() => OutputFolder.Claim(users, OutputKind.Poison, [], force: true)); // --force never takes a user's folder
    }

    [Fact]
    public void An_atomic_write_never_replaces_a_link_a_fifo_or_a_device()
    {
        var dir = TestModels.TempDir();
        var pointed = Path.Combine(dir, "pointed.txt");
        File.WriteAllText(pointed, "keep");
        var link = Path.Combine(dir, "link.txt");
        File.CreateSymbolicLink(link, pointed);
        Assert.Throws<PsimException>(() => AtomicFile.WriteAllText(link, "new"));
        Assert.True(FilePaths.IsSymbolicLink(link));
        Assert.Equal("keep", File.ReadAllText(pointed));

        var fifo = Path.Combine(dir, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
            mkfifo.WaitForExit();
        Assert.Contains("FIFO", Assert.Throws<PsimException>(() => AtomicFile.WriteAllText(fifo, "x")).Message);
        Assert.Contains("character device", Assert.Throws<PsimException>(() => AtomicFile.WriteAllText("/dev/null", "x")).Message);
    }
}
