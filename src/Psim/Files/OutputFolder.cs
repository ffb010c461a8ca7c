using System.Text.Json;
using System.Text.Json.Nodes;

namespace Psim.Files;

/// <summary>What a psim output folder holds; written into its marker so a later run knows whose folder it is.</summary>
public enum OutputKind { Poison, Finetune, DetectorTrain, DefendEvaluate, DefendBaselines, Merge, Export, Study }

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
            throw new PsimException($"--out {dir} is a symbolic link; psim writes only into real folders (give the folder it points to, or a new one)");
        if (File.Exists(full)) throw new PsimException($"--out {dir} is a file, not a folder; psim will not replace it");
        OutputPaths.RefuseInputs(dir, inputs);
        if (Directory.Exists(full)) RequireOwned(dir, full, kind, force);
        Directory.CreateDirectory(full);
        var marker = Path.Combine(full, MarkerName);
        if (ReadKind(marker) != kind)
            AtomicFile.WriteAllText(marker, new JsonObject { ["kind"] = Name(kind), ["written_by"] = "psim" }.ToJsonString() + "\n");
    }

    /// <summary>Whether <paramref name="dir"/> carries psim's marker (of any kind).</summary>
    public static bool IsPsimFolder(string dir) => File.Exists(Path.Combine(dir, MarkerName));

    private static void RequireOwned(string dir, string full, OutputKind kind, bool force)
    {
        var marker = Path.Combine(full, MarkerName);
        if (!File.Exists(marker) && !FilePaths.IsSymbolicLink(marker))
        {
            if (!Directory.EnumerateFileSystemEntries(full).Any()) return;
            throw new PsimException($"--out {dir} already holds files that psim did not write (no {MarkerName}); psim never writes into such a folder: give a new or empty folder");
        }
        var found = ReadKind(marker);
        if (found == kind) return;
        if (!force)
            throw new PsimException($"--out {dir} is a psim {(found is { } k ? Name(k) : "unknown")} folder, not a {Name(kind)} one; pass --force to replace it, or give a new folder");
    }

    private static OutputKind? ReadKind(string marker)
    {
        if (!File.Exists(marker)) return null;
        if (FilePaths.IsSymbolicLink(marker)) throw new PsimException($"{marker} is a symbolic link; psim's marker is always a regular file");
        var text = StrictText.ReadAll(marker, MarkerMaxBytes);
        var kind = Json.Parse(marker, text) is JsonObject o ? new JsonFields(o, marker).String("kind") : null;
        return Enum.GetValues<OutputKind>().Cast<OutputKind?>().FirstOrDefault(k => Name(k!.Value) == kind)
            ?? throw new PsimFormatException($"{marker}: \"kind\" is {kind ?? "missing"}; expected one of {string.Join(", ", Enum.GetValues<OutputKind>().Select(Name))}");
    }

    public static string Name(OutputKind kind) => JsonNamingPolicy.KebabCaseLower.ConvertName(kind.ToString());
}

/// <summary>The same rule for an output that is one file (<c>scan --out</c>, <c>data poison --out</c>, <c>evaluate --out</c>).</summary>
public static class OutputPaths
{
    /// <summary>
    /// Refuses a file output that is an input, lies inside an input folder, is a symbolic link or anything
    /// but a regular file, or that exists already (unless <paramref name="force"/>: a regular file the user
    /// asks psim to replace).
    /// </summary>
    public static void ClaimFile(string path, IEnumerable<string> inputs, bool force)
    {
        var full = Path.GetFullPath(path);
        if (FilePaths.IsSymbolicLink(full)) throw new PsimException($"--out {path} is a symbolic link; psim will not replace it");
        if (Directory.Exists(full)) throw new PsimException($"--out {path} is a folder; give a file name");
        RefuseInputs(path, inputs);
        if (!File.Exists(full)) return;
        RegularFile.Require(full);
        if (!force) throw new PsimException($"--out {path} exists; psim does not overwrite a file it cannot tell it wrote: pass --force to replace it, or give a new name");
    }

    /// <summary>An output is never an input, inside an input, or a folder that holds an input.</summary>
    public static void RefuseInputs(string output, IEnumerable<string> inputs)
    {
        var outPath = FilePaths.Resolve(output);
        foreach (var input in inputs.Where(i => !string.IsNullOrEmpty(i)))
        {
            var inPath = FilePaths.Resolve(input);
            if (outPath == inPath) throw new PsimException($"--out {output} is an input of this run ({input}); psim never writes over its inputs");
            if (FilePaths.IsSameOrInside(outPath, inPath)) throw new PsimException($"--out {output} lies inside an input of this run ({input}); psim never writes into its inputs");
            if (FilePaths.IsSameOrInside(inPath, outPath)) throw new PsimException($"--out {output} holds an input of this run ({input}); give an output folder apart from the inputs");
        }
    }
}
