using System.Text;

namespace Psim.Text;

/// <summary>Strings as Python sees them: sequences of code points (a lone surrogate is one code point).</summary>
internal static class CodePoints
{
    public static List<int> Of(string s)
    {
        var cps = new List<int>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                cps.Add(char.ConvertToUtf32(c, s[++i]));
            else
                cps.Add(c);
        }
        return cps;
    }

    public static string ToString(IReadOnlyList<int> cps, int start = 0, int count = -1)
    {
        if (count < 0)
            count = cps.Count - start;
        var sb = new StringBuilder(count);
        for (int i = start; i < start + count; i++)
            Append(sb, cps[i]);
        return sb.ToString();
    }

    public static void Append(StringBuilder sb, int cp)
    {
        if (cp < 0x10000)
            sb.Append((char)cp);
        else
            sb.Append(char.ConvertFromUtf32(cp));
    }
}
