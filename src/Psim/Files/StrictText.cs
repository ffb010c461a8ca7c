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

    /// <summary>
    /// The largest file of each kind psim reads as text; a larger one is refused before it is read. A data file
    /// is held as bytes and then as its lines (two bytes a character): at most 256 MiB + 512 MiB.
    /// </summary>
    public const long ConfigMaxBytes = 16L << 20,
        DataMaxBytes = 256L << 20;

    /// <summary>The longest line psim reads, from a file or stdin (the longest line of the shared data sets is under 1 KiB).</summary>
    public const int MaxLineBytes = 1 << 20;

    public static string ReadAll(string path, long maxBytes = ConfigMaxBytes)
    {
        var bytes = ReadBytes(path, maxBytes);
        RefuseUtf16(path, bytes);
        int bom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try
        {
            return Strict.GetString(bytes, bom, bytes.Length - bom);
        }
        catch (DecoderFallbackException e)
        {
            int at = bom + Math.Max(0, e.Index);
            int line = 1 + bytes.AsSpan(0, Math.Min(at, bytes.Length)).Count((byte)'\n');
            throw new PsimFormatException($"{path}:{line}: invalid UTF-8 (byte {at}); psim does not guess what the text meant");
        }
    }

    /// <summary>The lines of a UTF-8 text file; a line over <see cref="MaxLineBytes"/> is refused with its number.</summary>
    public static List<string> ReadLines(string path, long maxBytes = ConfigMaxBytes)
    {
        var bytes = ReadBytes(path, maxBytes);
        RefuseUtf16(path, bytes);
        var all = bytes.AsSpan();
        if (all.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            all = all[3..];
        var lines = new List<string>();
        int at = bytes.Length - all.Length;
        while (at < bytes.Length)
        {
            var rest = bytes.AsSpan(at);
            int end = rest.IndexOfAny((byte)'\n', (byte)'\r');
            int length = end < 0 ? rest.Length : end;
            if (length > MaxLineBytes)
                throw LineTooLong(path, lines.Count + 1);
            try
            {
                lines.Add(Strict.GetString(rest[..length]));
            }
            catch (DecoderFallbackException e)
            {
                throw new PsimFormatException(
                    $"{path}:{lines.Count + 1}: invalid UTF-8 (byte {at + Math.Max(0, e.Index)}); psim does not guess what the text meant"
                );
            }
            if (end < 0)
                break;
            at += end + (rest[end] == (byte)'\r' && end + 1 < rest.Length && rest[end + 1] == (byte)'\n' ? 2 : 1);
        }
        return lines;
    }

    /// <summary>Lines from a stream that may never end (stdin): each bounded by <see cref="MaxLineBytes"/> characters as it is read.</summary>
    public static IEnumerable<string> ReadLines(TextReader reader, string source)
    {
        var line = new StringBuilder();
        int number = 0;
        while (true)
        {
            int c = reader.Read();
            if (c < 0)
            {
                if (line.Length > 0)
                    yield return line.ToString();
                yield break;
            }
            if (c is '\n' or '\r')
            {
                if (c == '\r' && reader.Peek() == '\n')
                    reader.Read();
                number++;
                yield return line.ToString();
                line.Clear();
                continue;
            }
            if (line.Length >= MaxLineBytes)
                throw LineTooLong(source, number + 1);
            line.Append((char)c);
        }
    }

    /// <summary>UTF-16 or UTF-32 text (a byte-order mark, or a NUL among the first bytes, as "{\0" is) named as such rather than as invalid UTF-8.</summary>
    private static void RefuseUtf16(string path, byte[] bytes)
    {
        var head = bytes.AsSpan(0, Math.Min(4, bytes.Length));
        bool bom = head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]);
        if (bom || head.Contains((byte)0))
            throw new PsimFormatException(
                $"{path}: the text is UTF-16 or UTF-32 encoded ({(bom ? "a byte-order mark" : "NUL bytes")} at the start); psim reads UTF-8, as transformers, peft and Python's json write it"
            );
    }

    private static PsimFormatException LineTooLong(string source, int line) =>
        new($"{source}:{line}: a line over {MaxLineBytes:N0} bytes; psim reads lines up to that length (one text, one row)");

    /// <summary>
    /// The bytes of a regular file of at most <paramref name="maxBytes"/>; a FIFO, device or folder is refused
    /// instead of blocking or failing late, and a larger file before it is read. The read itself stops at the
    /// bound, for files whose size the kernel reports as 0 (/proc).
    /// </summary>
    public static byte[] ReadBytes(string path, long maxBytes = ConfigMaxBytes)
    {
        RegularFile.Require(path);
        long size = new FileInfo(path).Length;
        if (size > maxBytes)
            throw TooLarge(path, size, maxBytes);
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var buffer = new MemoryStream((int)Math.Min(size, maxBytes));
        var chunk = new byte[81920];
        int n;
        while ((n = fs.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > maxBytes)
                throw TooLarge(path, buffer.Length + n, maxBytes);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static PsimFormatException TooLarge(string path, long size, long max) =>
        new($"{path}: {size:N0} bytes or more; psim reads files of this kind up to {max:N0} bytes");
}
