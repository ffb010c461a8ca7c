namespace Psim.Files;

/// <summary>Writes a file through a temporary sibling that replaces the target only once complete.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
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
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private const string TempMark = ".tmp-";

    /// <summary>
    /// Deletes the temporary files in <paramref name="dir"/> that a killed writer left behind (its process
    /// is gone); those of a live process are kept. Returns how many and their size.
    /// </summary>
    public static (int Files, long Bytes) RemoveStale(string dir)
    {
        if (!Directory.Exists(dir)) return (0, 0);
        int files = 0;
        long bytes = 0;
        foreach (var f in Directory.EnumerateFiles(dir, "*" + TempMark + "*"))
        {
            var name = Path.GetFileName(f);
            var rest = name[(name.LastIndexOf(TempMark, StringComparison.Ordinal) + TempMark.Length)..];
            int dash = rest.IndexOf('-');
            if (dash <= 0 || !int.TryParse(rest[..dash], out int pid) || IsAlive(pid)) continue;
            bytes += new FileInfo(f).Length;
            File.Delete(f);
            files++;
        }
        return (files, bytes);
    }

    private static bool IsAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { var b = System.Text.Encoding.UTF8.GetBytes(text); s.Write(b); });
}
