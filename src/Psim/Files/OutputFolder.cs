using System.Text.Json.Nodes;

namespace Psim.Files;

/// <summary>What a psim output folder holds; written into its marker so a later run knows whose folder it is.</summary>
public enum OutputKind
{
    Poison,
    Finetune,
    DetectorTrain,
    DefendEvaluate,
    DefendBaselines,
    Merge,
    Export,
    Study,
    Repair,
}

/// <summary>
/// The one rule for every <c>--out</c> folder: psim writes only into a new or empty folder, or into a folder
/// that carries its marker (<see cref="MarkerName"/>) for the same kind of result; a psim folder of another
/// kind is replaced only with <c>force</c>, a folder psim did not write never. The folder is never an input,
/// never inside an input, never holds an input, and never a symbolic link or a file.
/// </summary>
public static class OutputFolder
{
    public const string MarkerName = ".psim-output.json";
    private const int MarkerMaxBytes = 4096;

    /// <summary>Checks <paramref name="dir"/> against the rule, creates it and writes the marker; throws <see cref="PsimException"/> naming the conflict.</summary>
    public static void Claim(string dir, OutputKind kind, IEnumerable<string> inputs, bool force)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        if (FilePaths.IsSymbolicLink(full))
            throw new PsimException(
                $"--out {dir} is a symbolic link; psim writes only into real folders (give the folder it points to, or a new one)"
            );
        if (File.Exists(full))
            throw new PsimException($"--out {dir} is a file, not a folder; psim will not replace it");
        OutputPaths.RefuseInputs(dir, inputs);
        var marker = Path.Combine(full, MarkerName);
        var found = ReadKind(marker);
        if (Directory.Exists(full))
            RequireOwned(dir, full, found, kind, force);
        Directory.CreateDirectory(full);
        if (found != kind)
            AtomicFile.WriteAllText(marker, new JsonObject { ["kind"] = Name(kind), ["written_by"] = "psim" }.ToJsonString() + "\n");
    }

    /// <summary>Whether <paramref name="dir"/> carries psim's marker (of any kind).</summary>
    public static bool IsPsimFolder(string dir) => File.Exists(Path.Combine(dir, MarkerName));

    /// <summary>The kind of result a folder holds, from its marker; null when psim did not write it.</summary>
    public static OutputKind? KindOf(string dir) => ReadKind(Path.Combine(dir, MarkerName));

    /// <param name="found">the kind in the folder's marker, null when it has none</param>
    private static void RequireOwned(string dir, string full, OutputKind? found, OutputKind kind, bool force)
    {
        if (found is not { } k)
        {
            if (!Directory.EnumerateFileSystemEntries(full).Any())
                return;
            throw new PsimException(
                $"--out {dir} already holds files that psim did not write (no {MarkerName}); psim never writes into such a folder: give a new or empty folder"
            );
        }
        if (k != kind && !force)
            throw new PsimException(
                $"--out {dir} is a psim {Name(k)} folder, not a {Name(kind)} one; pass --force to replace it, or give a new folder"
            );
    }

    /// <summary>The kind in a folder's marker; null when there is none. A marker that is a link or names no kind is an error.</summary>
    private static OutputKind? ReadKind(string marker)
    {
        if (FilePaths.IsSymbolicLink(marker))
            throw new PsimException($"{marker} is a symbolic link; psim's marker is always a regular file");
        if (!File.Exists(marker))
            return null;
        var kind = Json.Parse(marker, StrictText.ReadAll(marker, MarkerMaxBytes)) is JsonObject o
            ? new JsonFields(o, marker).String("kind")
            : null;
        return Vocabulary<OutputKind>.TryParse(kind, out var k)
            ? k
            : throw new PsimFormatException($"{marker}: {Vocabulary<OutputKind>.Unknown(kind, "\"kind\"")}");
    }

    public static string Name(OutputKind kind) => Vocabulary<OutputKind>.Name(kind);
}

/// <summary>The same rule for an output that is one file (<c>scan --out</c>, <c>data poison --out</c>, <c>evaluate --out</c>).</summary>
public static class OutputPaths
{
    /// <summary>
    /// Refuses a file output that is an input, lies inside an input folder, is a symbolic link or anything
    /// but a regular file, or that exists already (unless <paramref name="force"/>: a regular file the user
    /// asks psim to replace).
    /// </summary>
    public static void ClaimFile(string path, IEnumerable<string?> inputs, bool force)
    {
        var full = Path.GetFullPath(path);
        if (FilePaths.IsSymbolicLink(full))
            throw new PsimException($"--out {path} is a symbolic link; psim will not replace it");
        if (Directory.Exists(full))
            throw new PsimException($"--out {path} is a folder; give a file name");
        RefuseInputs(path, inputs);
        if (!File.Exists(full))
            return;
        RegularFile.Require(full);
        if (!force)
            throw new PsimException(
                $"--out {path} exists; psim does not overwrite a file it cannot tell it wrote: pass --force to replace it, or give a new name"
            );
    }

    /// <summary>An output is never an input, inside an input, or a folder that holds an input (inputs not given, null or empty, are skipped).</summary>
    public static void RefuseInputs(string output, IEnumerable<string?> inputs)
    {
        var outPath = FilePaths.Resolve(output);
        foreach (var input in inputs.OfType<string>().Where(i => i.Length > 0))
        {
            var inPath = FilePaths.Resolve(input);
            if (outPath == inPath)
                throw new PsimException($"--out {output} is an input of this run ({input}); psim never writes over its inputs");
            if (FilePaths.IsSameOrInside(outPath, inPath))
                throw new PsimException($"--out {output} lies inside an input of this run ({input}); psim never writes into its inputs");
            if (FilePaths.IsSameOrInside(inPath, outPath))
                throw new PsimException(
                    $"--out {output} holds an input of this run ({input}); give an output folder apart from the inputs"
                );
        }
    }
}
