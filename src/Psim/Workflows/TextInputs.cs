using Psim.Data;

namespace Psim.Workflows;

/// <summary>The texts a command works on: given directly, read from a file, or read line by line from standard input.</summary>
public static class TextInputs
{
    /// <param name="given">texts given on the command line (used when not empty)</param>
    /// <param name="file">else a data file (.jsonl, .json, .csv, .tsv) or a plain file with one text per line</param>
    /// <param name="stdin">else these lines (read only when needed)</param>
    public static IReadOnlyList<string> From(IReadOnlyList<string>? given, string? file, Func<IEnumerable<string>> stdin) =>
        given is { Count: > 0 } ? given
        : file is not null ? TextListReader.Read(file)
        : TextListReader.Lines(stdin());
}
