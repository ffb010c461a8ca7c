namespace Psim.Text;

/// <summary>
/// A WordPiece vocabulary (<c>vocab.txt</c>: one token a line, the line number is the id), read as
/// transformers' <c>load_vocab</c> reads it: a token listed twice keeps its last id. The file is read by
/// <c>IO.TokenizerFolder.LoadVocab</c> (valid UTF-8, not empty).
/// </summary>
public sealed class WordPieceVocab
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string[] _tokens;

    /// <summary>The distinct tokens in ordinal order, for <see cref="LongestMatch"/>.</summary>
    private readonly string[] _sorted;

    public string Source { get; }

    /// <summary>Lines in the file: the ids run from 0 to Count - 1.</summary>
    public int Count => _tokens.Length;

    public WordPieceVocab(IReadOnlyList<string> tokens, string source)
    {
        Source = source;
        _tokens = [.. tokens];
        _ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
            _ids[tokens[i]] = i;
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        _sorted = [.. _ids.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The length (UTF-16 units) of the longest token that <paramref name="text"/> starts with — "##" + that
    /// prefix for a continuation piece — or 0. Walks the sorted tokens one character at a time, narrowing
    /// the range that shares the prefix read so far, and stops when no token does: the work is the longest
    /// shared prefix times log(vocabulary), whatever the length of the word (trying every end of a long word
    /// and hashing each candidate was cubic in it).
    /// </summary>
    public int LongestMatch(ReadOnlySpan<char> text, bool continuation)
    {
        int lo = 0,
            hi = _sorted.Length,
            depth = 0,
            best = 0;
        if (continuation && !(Narrow('#') && Narrow('#')))
            return 0;
        for (int i = 0; i < text.Length && Narrow(text[i]); i++)
            if (_sorted[lo].Length == depth)
                best = i + 1;
        return best;

        // [lo, hi) share the first `depth` characters; keep those whose next one is c
        bool Narrow(char c)
        {
            if (lo >= hi)
                return false;
            int from = _sorted[lo].Length == depth ? lo + 1 : lo; // the prefix itself, if a token, sorts first
            int first = Bound(from, hi, c, upper: false),
                last = Bound(first, hi, c, upper: true);
            (lo, hi, depth) = (first, last, depth + 1);
            return lo < hi;
        }

        // the first index in [a, b) whose character at `depth` is >= c (upper: > c); every token there is longer than depth
        int Bound(int a, int b, char c, bool upper)
        {
            while (a < b)
            {
                int mid = (a + b) >>> 1;
                char m = _sorted[mid][depth];
                if (m < c || upper && m == c)
                    a = mid + 1;
                else
                    b = mid;
            }
            return a;
        }
    }

    public int? Id(ReadOnlySpan<char> token) => _lookup.TryGetValue(token, out int id) ? id : null;

    public bool Contains(ReadOnlySpan<char> token) => _lookup.ContainsKey(token);

    public string Token(int id) => _tokens[id];

    /// <summary>The id of a token the tokenizer needs (unknown, [CLS], ...), or an error naming the file.</summary>
    public int Require(string token, string role) =>
        Id(token) ?? throw new PsimFormatException($"{Source}: the vocabulary has no {role} token \"{token}\"");
}
