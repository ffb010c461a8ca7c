using System.Security.Cryptography;
using Psim.Files;

namespace Psim.IO;

/// <summary>Where the run writing a folder stands: readers refuse folders still "running" or "failed".</summary>
public enum RunStatus
{
    Running,
    Finished,
    Interrupted,
    Failed,
}

/// <summary>
/// A run folder's <c>run.json</c> as its readers see it: the status of the psim run that wrote the
/// folder. (The run record itself is written by the workflows, <c>Workflows.RunRecord</c>.)
/// </summary>
public static class RunFile
{
    public const string Name = "run.json";

    /// <summary>
    /// Refuses a folder whose run.json says the psim run writing it never finished (killed, or still
    /// running) or failed: its files may be partial or come from two different runs. Folders without
    /// run.json (from Python, or copied) and interrupted runs (Ctrl-C keeps the last complete checkpoint)
    /// are accepted.
    /// </summary>
    public static void RequireFinished(string dir)
    {
        var status = StatusOf(dir);
        if (status == RunStatus.Running)
            throw new PsimException(
                $"{dir}: {Name} says the psim run writing this folder never finished (status \"running\": killed, or still running), so its files may come from two runs; run that command again to completion (or delete {Name} to use the files anyway)"
            );
        if (status == RunStatus.Failed)
            throw new PsimException(
                $"{dir}: {Name} says the psim run writing this folder failed, so its files may be partial; run that command again to completion (or delete {Name} to use the files anyway)"
            );
    }

    /// <summary>The status in a folder's run.json; null when it has none or names none.</summary>
    public static RunStatus? StatusOf(string dir)
    {
        var path = Path.Combine(dir, Name);
        if (!File.Exists(path))
            return null;
        string? status;
        try
        {
            status = Json.Parse(path)?["status"]?.GetValue<string>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            status = null;
        }
        return Vocabulary<RunStatus>.TryParse(status, out var s) ? s : null;
    }

    /// <summary>A file's SHA-256, lower-case hex.</summary>
    public static string HashFile(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }
}
