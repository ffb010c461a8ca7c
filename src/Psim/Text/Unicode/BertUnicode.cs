using System.Globalization;
using System.Reflection;

namespace Psim.Text.Unicode;

/// <summary>
/// The Unicode facts BERT's tokenizer asks Python's <c>unicodedata</c> for: character classes,
/// canonical combining classes, <c>str.lower()</c>, canonical decompositions and compositions.
/// Read from <c>bert-unicode.txt</c> (made by <c>generate.py</c> from Python 3.11, Unicode 14.0), so
/// tokenisation does not depend on .NET's Unicode version or on invariant globalization.
/// </summary>
internal sealed class BertUnicode
{
    [Flags]
    public enum CharClass : byte
    {
        None = 0,

        /// <summary>Dropped by clean-text: NUL, U+FFFD and every C* category except tab, newline, return.</summary>
        Control = 1,

        /// <summary>Becomes a space in clean-text: space, tab, newline, return, Zs.</summary>
        Space = 2,

        /// <summary>Split off as its own token: ASCII 33-47, 58-64, 91-96, 123-126 or any P*.</summary>
        Punctuation = 4,

        /// <summary>Category Mn: removed by accent stripping.</summary>
        NonSpacingMark = 8,

        /// <summary>Python's <c>str.isspace()</c>: where <c>str.split()</c> splits.</summary>
        PythonSpace = 16,
    }

    public const int CodePoints = 0x110000;
    private const string Resource = "Psim.Text.Unicode.bert-unicode.txt";

    private readonly byte[] _class = new byte[CodePoints];
    private readonly byte[] _ccc = new byte[CodePoints];
    private readonly Dictionary<int, int[]> _lower = [];
    private readonly Dictionary<int, int[]> _nfd = [];
    private readonly Dictionary<long, int> _compose = [];

    public string Version { get; private set; } = "";

    public static BertUnicode Instance => Lazy.Value;
    private static readonly Lazy<BertUnicode> Lazy = new(Load);

    public CharClass Class(int cp) => (CharClass)_class[cp];

    public bool Is(int cp, CharClass c) => (_class[cp] & (byte)c) != 0;

    public int CombiningClass(int cp) => _ccc[cp];

    /// <summary>Python's <c>chr(cp).lower()</c>, or null when the character is its own lower case.</summary>
    public int[]? Lower(int cp) => _lower.GetValueOrDefault(cp);

    /// <summary>The full canonical decomposition of a non-Hangul character, or null when it has none.</summary>
    public int[]? Decomposition(int cp) => _nfd.GetValueOrDefault(cp);

    /// <summary>The primary composite of a starter and a following character, or -1.</summary>
    public int Compose(int first, int second) => _compose.GetValueOrDefault(((long)first << 21) | (uint)second, -1);

    private static BertUnicode Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"embedded resource {Resource} is missing from the build");
        using var reader = new StreamReader(stream);
        var u = new BertUnicode();
        string section = "";
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            if (line[0] == '@')
            {
                section = line[1..line.IndexOf(' ')];
                continue;
            }
            var f = line.Split(' ');
            switch (section)
            {
                case "":
                    u.Version = f[1];
                    break;
                case "flags":
                    Fill(u._class, f);
                    break;
                case "ccc":
                    Fill(u._ccc, f);
                    break;
                case "lower":
                    u._lower[Hex(f[0])] = f[1..].Select(Hex).ToArray();
                    break;
                case "nfd":
                    u._nfd[Hex(f[0])] = f[1..].Select(Hex).ToArray();
                    break;
                case "compose":
                    u._compose[((long)Hex(f[0]) << 21) | (uint)Hex(f[1])] = Hex(f[2]);
                    break;
                default:
                    throw new InvalidOperationException($"{Resource}: unknown section {section}");
            }
        }
        return u;
    }

    private static void Fill(byte[] table, string[] f) =>
        Array.Fill(table, byte.Parse(f[2], CultureInfo.InvariantCulture), Hex(f[0]), Hex(f[1]) - Hex(f[0]) + 1);

    private static int Hex(string s) => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
