namespace Psim.Text;

/// <summary>
/// transformers' <c>BertTokenizer</c> (and the fast tokenizer's BERT normaliser and WordPiece model):
/// the special tokens in the text are kept whole, the rest is lower-cased character by character,
/// basic-tokenised (<see cref="BasicTokenizer"/>) and cut into WordPiece tokens by greedy longest match.
/// Gives the same ids as Python for any text, in any globalization mode.
/// </summary>
public sealed class BertTokenizer
{
    private readonly BasicTokenizer _basic;

    /// <summary>The special tokens matched in text, and their first characters (only there can a match start).</summary>
    private readonly string[] _specials;
    private readonly char[] _specialStarts;

    public WordPieceVocab Vocab { get; }
    public BertTokenizerOptions Options { get; }
    public int UnkId { get; }

    public BertTokenizer(WordPieceVocab vocab, BertTokenizerOptions options)
    {
        Vocab = vocab;
        Options = options;
        UnkId = vocab.Require(options.UnkToken, "unknown");
        _basic = new BasicTokenizer(options);
        _specials = [.. options.SpecialTokens.Where(t => t.Length > 0)];
        _specialStarts = [.. _specials.Select(t => t[0]).Distinct()];
    }

    /// <summary>The WordPiece tokens of a text, without [CLS] and [SEP].</summary>
    public List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (var (word, special) in BasicWords(text))
            if (special is not null)
                tokens.Add(special);
            else
                WordPiece(word!, tokens);
        return tokens;
    }

    /// <summary>The basic tokenizer's words of a text (lower-cased and split at punctuation as configured), before WordPiece; special tokens stay whole.</summary>
    public List<string> Words(string text) => BasicWords(text).Select(w => w.Special ?? CodePoints.ToString(w.Word!)).ToList();

    /// <summary>The text split at its special tokens, the rest lower-cased and basic-tokenised: each item a word's code points or a special token.</summary>
    private IEnumerable<(List<int>? Word, string? Special)> BasicWords(string text)
    {
        foreach (var (segment, special) in SplitOnSpecialTokens(text))
        {
            if (special)
            {
                yield return (null, segment);
                continue;
            }
            var cps = CodePoints.Of(segment);
            if (Options.DoLowerCase)
                cps = _basic.Lower(cps);
            foreach (var word in Options.DoBasicTokenize ? _basic.Tokenize(cps) : _basic.SplitOnWhitespace(cps))
                yield return (word, null);
        }
    }

    /// <summary>The ids of a text, without [CLS] and [SEP]; tokens outside the vocabulary are the unknown id.</summary>
    public int[] Encode(string text) => Ids(Tokenize(text));

    public int[] Ids(IEnumerable<string> tokens) => tokens.Select(t => Vocab.Id(t) ?? UnkId).ToArray();

    /// <summary>A text's tokens and ids side by side (what <c>psim model tokenize</c> prints).</summary>
    public TokenizedText Explain(int row, string text)
    {
        var tokens = Tokenize(text);
        return new TokenizedText(row, text, Ids(tokens), [.. tokens]);
    }

    /// <summary>PreTrainedTokenizer.tokenize: the text split at exact occurrences of the special tokens.</summary>
    private IEnumerable<(string Text, bool Special)> SplitOnSpecialTokens(string text)
    {
        int start = 0;
        for (int i = text.IndexOfAny(_specialStarts); i >= 0 && i < text.Length; i = text.IndexOfAny(_specialStarts, i + 1))
        {
            string? hit = null;
            foreach (var s in _specials)
                if (string.CompareOrdinal(text, i, s, 0, s.Length) == 0)
                {
                    hit = s;
                    break;
                }
            if (hit is null)
                continue;
            if (i > start)
                yield return (text[start..i], false);
            yield return (hit, true);
            start = i + hit.Length;
            i = start - 1;
        }
        if (start < text.Length)
            yield return (text[start..], false);
    }

    /// <summary>WordpieceTokenizer.tokenize on one word: greedy longest-match-first, [UNK] for a word that does not split.</summary>
    private void WordPiece(List<int> word, List<string> output)
    {
        if (word.Count > Options.MaxInputCharsPerWord)
        {
            output.Add(Options.UnkToken);
            return;
        }
        var text = CodePoints.ToString(word);
        var offsets = Utf16Offsets(word);
        var pieces = new List<string>();
        int start = 0;
        while (start < word.Count)
        {
            int from = offsets[start];
            int length = Vocab.LongestMatch(text.AsSpan(from), continuation: start > 0);
            int end = length == 0 ? -1 : Array.BinarySearch(offsets, start + 1, word.Count - start, from + length);
            if (end < 0)
            {
                output.Add(Options.UnkToken);
                return;
            } // no piece (a token ending inside a surrogate pair is none)
            pieces.Add(start > 0 ? "##" + text.Substring(from, length) : text.Substring(from, length));
            start = end;
        }
        output.AddRange(pieces);
    }

    private static int[] Utf16Offsets(List<int> word)
    {
        var offsets = new int[word.Count + 1];
        for (int i = 0; i < word.Count; i++)
            offsets[i + 1] = offsets[i] + (word[i] < 0x10000 ? 1 : 2);
        return offsets;
    }
}
