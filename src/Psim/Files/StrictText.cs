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

    public static string ReadAll(string path)
    {
        var bytes = ReadBytes(path);
        int bom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try { return Strict.GetString(bytes, bom, bytes.Length - bom); }
        catch (DecoderFallbackException e)
        {
            int at = bom + Math.Max(0, e.Index);
            int line = 1 + bytes.AsSpan(0, Math.Min(at, bytes.Length)).Count((byte)'\n');
            throw new PsimFormatException($"{path}:{line}: invalid UTF-8 (byte {at}); psim does not guess what the text meant");
        }
    }

    public static List<string> ReadLines(string path)
    {
        var lines = new List<string>();
        using var reader = new StringReader(ReadAll(path));
        while (reader.ReadLine() is { } line) lines.Add(line);
        return lines;
    }

    /// <summary>The bytes of a regular file; a FIFO, device or folder is refused instead of blocking or failing late.</summary>
    public static byte[] ReadBytes(string path)
    {
        RegularFile.Require(path);
        return File.ReadAllBytes(path);
    }
}
