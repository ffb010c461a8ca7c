using Psim.Text.Unicode;
using static Psim.Text.Unicode.BertUnicode;

namespace Psim.Text;

/// <summary>
/// transformers' <c>BasicTokenizer</c>, step for step: clean text (drop controls, whitespace to
/// spaces), spaces around CJK ideographs, NFC, split on whitespace, lower-case and strip accents
/// (NFD, drop Mn), split off punctuation. Works on code points with Python's Unicode tables.
/// </summary>
internal sealed class BasicTokenizer(BertTokenizerOptions options)
{
    private readonly BertUnicode _u = BertUnicode.Instance;

    public IEnumerable<List<int>> Tokenize(List<int> text)
    {
        var cleaned = Clean(text);
        var normalized = Normalization.Nfc(cleaned);
        foreach (var word in SplitOnWhitespace(normalized))
        {
            var token = word;
            if (options.DoLowerCase)
                token = Lower(token);
            if (options.StripsAccents)
                token = StripAccents(token);
            foreach (var piece in SplitOnPunctuation(token))
                yield return piece;
        }
    }

    /// <summary>_clean_text and _tokenize_chinese_chars.</summary>
    private List<int> Clean(List<int> text)
    {
        var output = new List<int>(text.Count + 8);
        foreach (int cp in text)
        {
            if (_u.Is(cp, CharClass.Space))
                output.Add(' ');
            else if (_u.Is(cp, CharClass.Control))
                continue;
            else if (options.TokenizeChineseChars && IsCjk(cp))
            {
                output.Add(' ');
                output.Add(cp);
                output.Add(' ');
            }
            else
                output.Add(cp);
        }
        return output;
    }

    /// <summary>Python's <c>str.split()</c>: runs of <c>str.isspace()</c> characters separate words.</summary>
    public IEnumerable<List<int>> SplitOnWhitespace(List<int> text)
    {
        int start = -1;
        for (int i = 0; i <= text.Count; i++)
        {
            bool space = i == text.Count || _u.Is(text[i], CharClass.PythonSpace);
            if (space && start >= 0)
            {
                yield return text.GetRange(start, i - start);
                start = -1;
            }
            else if (!space && start < 0)
                start = i;
        }
    }

    /// <summary>Python's <c>str.lower()</c>, character by character (transformers lowers each character before this step, so no final-sigma rule applies).</summary>
    public List<int> Lower(List<int> text)
    {
        var output = new List<int>(text.Count);
        foreach (int cp in text)
        {
            if (_u.Lower(cp) is { } lower)
                output.AddRange(lower);
            else
                output.Add(cp);
        }
        return output;
    }

    private List<int> StripAccents(List<int> text)
    {
        var nfd = Normalization.Nfd(text);
        nfd.RemoveAll(cp => _u.Is(cp, CharClass.NonSpacingMark));
        return nfd;
    }

    private IEnumerable<List<int>> SplitOnPunctuation(List<int> token)
    {
        if (!options.DoSplitOnPunc)
        {
            if (token.Count > 0)
                yield return token;
            yield break;
        }
        int start = 0;
        for (int i = 0; i < token.Count; i++)
        {
            if (!_u.Is(token[i], CharClass.Punctuation))
                continue;
            if (i > start)
                yield return token.GetRange(start, i - start);
            yield return [token[i]];
            start = i + 1;
        }
        if (token.Count > start)
            yield return token.GetRange(start, token.Count - start);
    }

    /// <summary>The CJK Unified Ideographs blocks of <c>_is_chinese_char</c> (not Hiragana, Katakana or Hangul).</summary>
    public static bool IsCjk(int cp) =>
        cp
            is >= 0x4E00
                and <= 0x9FFF
                or >= 0x3400
                and <= 0x4DBF
                or >= 0x20000
                and <= 0x2A6DF
                or >= 0x2A700
                and <= 0x2B73F
                or >= 0x2B740
                and <= 0x2B81F
                or >= 0x2B820
                and <= 0x2CEAF
                or >= 0xF900
                and <= 0xFAFF
                or >= 0x2F800
                and <= 0x2FA1F;
}
