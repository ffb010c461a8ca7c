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

    public string Source { get; }
    /// <summary>Lines in the file: the ids run from 0 to Count - 1.</summary>
    public int Count => _tokens.Length;

    public WordPieceVocab(IReadOnlyList<string> tokens, string source)
    {
        Source = source;
        _tokens = [.. tokens];
        _ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) _ids[tokens[i]] = i;
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int? Id(ReadOnlySpan<char> token) => _lookup.TryGetValue(token, out int id) ? id : null;
    public bool Contains(ReadOnlySpan<char> token) => _lookup.ContainsKey(token);
    public string Token(int id) => _tokens[id];

    /// <summary>The id of a token the tokenizer needs (unknown, [CLS], ...), or an error naming the file.</summary>
    public int Require(string token, string role) => Id(token)
        ?? throw new PsimFormatException($"{Source}: the vocabulary has no {role} token \"{token}\"");
}
