namespace Psim.Text.Unicode;

/// <summary>
/// Unicode NFD and NFC on code points, with the tables of <see cref="BertUnicode"/> (Hangul by the
/// standard's arithmetic). Independent of the .NET globalization mode.
/// </summary>
internal static class Normalization
{
    private const int SBase = 0xAC00,
        LBase = 0x1100,
        VBase = 0x1161,
        TBase = 0x11A7;
    private const int LCount = 19,
        VCount = 21,
        TCount = 28,
        NCount = VCount * TCount,
        SCount = LCount * NCount;

    /// <summary>Canonical decomposition, then canonical ordering of combining marks.</summary>
    public static List<int> Nfd(IReadOnlyList<int> text)
    {
        var u = BertUnicode.Instance;
        var output = new List<int>(text.Count + 4);
        foreach (int cp in text)
        {
            int s = cp - SBase;
            if (s is >= 0 and < SCount)
            {
                output.Add(LBase + s / NCount);
                output.Add(VBase + s % NCount / TCount);
                if (s % TCount != 0)
                    output.Add(TBase + s % TCount);
            }
            else if (u.Decomposition(cp) is { } d)
                output.AddRange(d);
            else
                output.Add(cp);
        }
        SortCombiningMarks(output, u);
        return output;
    }

    /// <summary>Canonical decomposition followed by canonical composition.</summary>
    public static List<int> Nfc(IReadOnlyList<int> text)
    {
        var u = BertUnicode.Instance;
        var d = Nfd(text);
        if (d.Count == 0)
            return d;
        var output = new List<int>(d.Count);
        int starter = -1; // index in output of the last starter, or -1
        int lastClass = -1;
        foreach (int cp in d)
        {
            int ccc = u.CombiningClass(cp);
            bool adjacent = starter >= 0 && output.Count - 1 == starter;
            bool blocked = !adjacent && (lastClass == 0 || lastClass >= ccc);
            if (starter >= 0 && !blocked && ComposePair(output[starter], cp, u) is var c && c >= 0)
            {
                output[starter] = c;
                continue;
            }
            if (ccc == 0)
                starter = output.Count;
            lastClass = ccc;
            output.Add(cp);
        }
        return output;
    }

    private static int ComposePair(int first, int second, BertUnicode u)
    {
        int l = first - LBase,
            v = second - VBase;
        if (l is >= 0 and < LCount && v is >= 0 and < VCount)
            return SBase + (l * VCount + v) * TCount;
        int s = first - SBase,
            t = second - TBase;
        if (s is >= 0 and < SCount && s % TCount == 0 && t is > 0 and < TCount)
            return first + t;
        return u.Compose(first, second);
    }

    /// <summary>Stable sort of each run of non-starters by combining class (the canonical ordering algorithm).</summary>
    private static void SortCombiningMarks(List<int> text, BertUnicode u)
    {
        for (int i = 1; i < text.Count; i++)
        {
            int ccc = u.CombiningClass(text[i]);
            if (ccc == 0)
                continue;
            int j = i;
            while (j > 0 && u.CombiningClass(text[j - 1]) > ccc)
            {
                (text[j - 1], text[j]) = (text[j], text[j - 1]);
                j--;
            }
        }
    }
}
