using System.CommandLine;
using System.Text.Json;
using Psim.Data;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary><c>psim data</c>: inspect and poison data files.</summary>
internal static class DataCommands
{
    public static Command Create()
    {
        var cmd = new Command("data", "Inspect and poison data files");
        cmd.Subcommands.Add(StudyCommands.DataPoison());
        cmd.Subcommands.Add(Stats());
        return cmd;
    }

    private static Command Stats()
    {
        var files = new Argument<string[]>("files")
        {
            Description = "data files to profile (.jsonl, .json, .tsv, .csv)",
            Arity = ArgumentArity.OneOrMore,
        };
        var model = new Option<string?>("--model")
        {
            Description = "the checkpoint whose tokenizer counts words and WordPiece tokens (default: minilm, the built-in model)",
        };
        var maxLength = new Option<int>("--max-length")
        {
            Description = "report the share of rows longer than this many tokens",
            DefaultValueFactory = _ => Defaults.MaxLength,
        };
        var reference = new Option<string?>("--reference")
        {
            Description = "a clean data file: its n-gram language model measures each file's fluency (perplexity, unknown words)",
        };
        var changedFrom = new Option<string?>("--changed-from")
        {
            Description = "profile only the rows whose text differs from this file's row of the same idx (what a poisoning set changed)",
        };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var reading = new ReadingFlags();
        var cmd = new Command(
            "stats",
            "Profile data files side by side: length, rows a max length cuts, SynAttack's template, repetition, markup, fluency"
        )
        {
            files,
            model,
            maxLength,
            reference,
            changedFrom,
            json,
        };
        reading.AddTo(cmd);
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                var request = new DataStatsRequest
                {
                    Files = r.GetValue(files)!,
                    Reading = reading.Read(r),
                    MaxLength = r.GetValue(maxLength),
                    Reference = r.GetValue(reference),
                    ChangedFrom = r.GetValue(changedFrom),
                };
                if (r.GetValue(model) is string m)
                    request = request with { Model = m };
                var profiles = DataStatsWorkflow.Run(request, Cli.Log);
                Console.WriteLine(
                    r.GetValue(json)
                        ? JsonSerializer.Serialize(profiles, new JsonSerializerOptions { WriteIndented = true })
                        : Table(profiles)
                );
                return ExitCode.Ok;
            })
        );
        return cmd;
    }

    private static string Table(IReadOnlyList<TextProfile> profiles)
    {
        var lines = new List<string>
        {
            "| file | rows | per label | words mean / median / p90 | wordpieces | over max length | SBAR-comma opening | back-to-back repetition | markup | perplexity | unknown words |",
            "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
        };
        foreach (var p in profiles)
            lines.Add(
                $"| {p.Name} | {p.Rows} | {string.Join(" ", p.LabelCounts.Select((c, l) => $"{l}:{c}"))} | {p.MeanWords:F1} / {p.MedianWords:F0} / {p.P90Words:F0} | {p.MeanWordpieces:F1} | "
                    + $"{p.OverMaxLength:P1} (>{p.MaxLength}) | {p.SubordinateOpening:P1} | {p.Repetition:P1} | {p.Markup:P1} | {Or(p.Perplexity, "F1")} | {Or(p.UnknownWords, "P1")} |"
            );
        return string.Join('\n', lines);
    }

    private static string Or(double? v, string format) => v is double d ? d.ToString(format) : "n/a";
}
