namespace Psim.Files;

/// <summary>Writes a file through a temporary sibling that replaces the target only once complete.</summary>
public static partial class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        RequireReplaceable(full);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + $"{TempMark}{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                write(fs);
                fs.Flush(true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp))
                File.Delete(tmp);
        }
    }

    /// <summary>A write replaces only a regular file: never a symbolic link (it would replace the link), a device, a FIFO or a folder.</summary>
    private static void RequireReplaceable(string full)
    {
        if (FilePaths.IsSymbolicLink(full))
            throw new PsimException($"{full} is a symbolic link; psim does not write through or over links");
        if (Directory.Exists(full))
            throw new PsimException($"{full} is a folder; psim will not replace it with a file");
        if (File.Exists(full))
            RegularFile.Require(full);
    }

    private const string TempMark = ".tmp-";

    [System.Text.RegularExpressions.GeneratedRegex(@"^.+\.tmp-([0-9]{1,10})-[0-9a-f]{32}$")]
    private static partial System.Text.RegularExpressions.Regex TempName();

    /// <summary>
    /// Deletes the temporary files in <paramref name="dir"/> that a killed writer left behind (its process
    /// is gone); those of a live process are kept. Only names psim itself makes are touched
    /// (<c>NAME.tmp-PID-GUID</c>, 32 hex digits), and only in a folder that carries psim's output marker.
    /// Returns how many and their size.
    /// </summary>
    public static (int Files, long Bytes) RemoveStale(string dir)
    {
        if (!Directory.Exists(dir) || !OutputFolder.IsPsimFolder(dir))
            return (0, 0);
        int files = 0;
        long bytes = 0;
        foreach (var f in Directory.EnumerateFiles(dir, "*" + TempMark + "*"))
        {
            var match = TempName().Match(Path.GetFileName(f));
            if (!match.Success || !int.TryParse(match.Groups[1].Value, out int pid) || IsAlive(pid) || FilePaths.IsSymbolicLink(f))
                continue;
            bytes += new FileInfo(f).Length;
            File.Delete(f);
            files++;
        }
        return (files, bytes);
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static void WriteAllText(string path, string text) => Write(path, s =>
        {
            var b = System.Text.Encoding.UTF8.GetBytes(text);
            s.Write(b);
        });
}
