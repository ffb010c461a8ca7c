using System.Runtime.InteropServices;

namespace Psim.Files;

/// <summary>
/// Checks that a path names a regular file (after symbolic links) before psim opens it: a FIFO named
/// <c>model.safetensors</c> would block a read for ever, and a device like <c>/dev/zero</c> never ends.
/// .NET reports both as ordinary files, so on Linux this asks the kernel (statx, whose layout is the
/// same on every architecture).
/// </summary>
public static partial class RegularFile
{
    public static void Require(string path)
    {
        if (Directory.Exists(path))
            throw new PsimException($"{path} is a folder, not a file");
        if (!File.Exists(path))
            throw new PsimException($"{path}: file not found");
        if (OperatingSystem.IsLinux() && FileType(path) is { } type && type != RegularType)
            throw new PsimException($"{path} is not a regular file ({Describe(type)}); psim reads only regular files");
    }

    private const int AtFdCwd = -100,
        StatxType = 1,
        ModeOffset = 28;
    private const int TypeMask = 0xF000,
        RegularType = 0x8000;

    private static int? FileType(string path)
    {
        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
                return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        return BitConverter.ToUInt16(buffer, ModeOffset) & TypeMask;
    }

    private static string Describe(int type) =>
        type switch
        {
            0x1000 => "a FIFO",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => $"file type 0x{type:X}",
        };

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);
}
