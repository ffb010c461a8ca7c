using System.Runtime.InteropServices;

namespace Psim.Files;

/// <summary>
/// Paths as the kernel sees them: symbolic links resolved, so that two spellings of one file (a link, "..",
/// a relative path) compare equal. A path that does not exist yet resolves its deepest existing folder and
/// keeps the rest as written.
/// </summary>
public static partial class FilePaths
{
    public static string Resolve(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var missing = new Stack<string>();
        var existing = full;
        while (!Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }
        var resolved = RealPath(existing) ?? existing;
        while (missing.Count > 0)
            resolved = Path.Combine(resolved, missing.Pop());
        return resolved;
    }

    /// <summary>Whether <paramref name="inner"/> is <paramref name="outer"/> or lies inside it (both resolved).</summary>
    public static bool IsSameOrInside(string inner, string outer)
    {
        if (inner == outer)
            return true;
        var prefix = outer.EndsWith(Path.DirectorySeparatorChar) ? outer : outer + Path.DirectorySeparatorChar;
        return inner.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>Whether the path itself (not what it points to) is a symbolic link.</summary>
    public static bool IsSymbolicLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget is not null;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path) || IsSymbolicLink(path);

    private static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            return null;
        IntPtr p = IntPtr.Zero;
        try
        {
            p = realpath(path, IntPtr.Zero);
            return p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        finally
        {
            if (p != IntPtr.Zero)
                free(p);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void free(IntPtr p);
}
