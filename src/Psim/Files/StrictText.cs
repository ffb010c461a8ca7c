using System.Text;

namespace Psim.Files;

/// <summary>
/// Reads text files that must be valid UTF-8: an invalid byte is an error naming the file and line,
/// never a silent U+FFFD. Lines end at \n, \r\n or \r (as Python's universal newlines); a UTF-8 BOM is kept
/// out of the text.
/// </summary>
public static class StrictText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The largest file of each kind psim reads as text; a larger one is refused before it is read.</summary>
    public const long ConfigMaxBytes = 16L << 20, DataMaxBytes = 512L << 20;

    public static string ReadAll(string path, long maxBytes = ConfigMaxBytes)
    {
        var bytes = ReadBytes(path, maxBytes);
        int bom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try { return Strict.GetString(bytes, bom, bytes.Length - bom); }
        catch (DecoderFallbackException e)
        {
            int at = bom + Math.Max(0, e.Index);
            int line = 1 + bytes.AsSpan(0, Math.Min(at, bytes.Length)).Count((byte)'\n');
            throw new PsimFormatException($"{path}:{line}: invalid UTF-8 (byte {at}); psim does not guess what the text meant");
        }
    }

    public static List<string> ReadLines(string path, long maxBytes = ConfigMaxBytes)
    {
        var lines = new List<string>();
        using var reader = new StringReader(ReadAll(path, maxBytes));
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    /// <summary>
    /// The bytes of a regular file of at most <paramref name="maxBytes"/>; a FIFO, device or folder is refused
    /// instead of blocking or failing late, and a larger file before it is read. The read itself stops at the
    /// bound, for files whose size the kernel reports as 0 (/proc).
    /// </summary>
    public static byte[] ReadBytes(string path, long maxBytes = ConfigMaxBytes)
    {
        RegularFile.Require(path);
        long size = new FileInfo(path).Length;
        if (size > maxBytes) throw TooLarge(path, size, maxBytes);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var buffer = new MemoryStream((int)Math.Min(size, maxBytes));
        var chunk = new byte[81920];
        int n;
        while ((n = fs.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > maxBytes) throw TooLarge(path, buffer.Length + n, maxBytes);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static PsimFormatException TooLarge(string path, long size, long max) =>
        new($"{path}: {size:N0} bytes or more; psim reads files of this kind up to {max:N0} bytes");
}
