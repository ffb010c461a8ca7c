using System.Text.RegularExpressions;

namespace Psim.Peft;

/// <summary>
/// A module-name regular expression from an adapter config (<c>target_modules</c> as a string, the keys of
/// <c>rank_pattern</c> and <c>alpha_pattern</c>). It comes from an untrusted file, so it is compiled by
/// .NET's non-backtracking engine, whose matching time is linear in the name whatever the pattern
/// (<c>([a-z.0-9_]+)+z</c> cannot hang), and refused with its field named when it does not compile, is over
/// <see cref="MaxLength"/> characters, or uses what that engine lacks (backreferences, lookarounds, atomic
/// groups: peft's patterns need none).
/// </summary>
public sealed class ModulePattern
{
    public const int MaxLength = 1000;
    private readonly Regex _regex;

    /// <summary>The pattern as written in the config.</summary>
    public string Pattern { get; }

    private ModulePattern(string pattern, Regex regex) => (Pattern, _regex) = (pattern, regex);

    /// <summary>peft's <c>re.fullmatch(pattern, name)</c> (target_modules as a string).</summary>
    public static ModulePattern FullMatch(string pattern, string source, string field) => Compile(pattern, "^(?:{0})$", source, field);

    /// <summary>peft's get_pattern_key: the pattern matches the whole name or its end after a dot (rank_pattern, alpha_pattern).</summary>
    public static ModulePattern Suffix(string pattern, string source, string field) =>
        Compile(pattern, @"^(?:.*\.)?(?:{0})$", source, field);

    public bool IsMatch(string moduleName) => _regex.IsMatch(moduleName);

    private static ModulePattern Compile(string pattern, string anchored, string source, string field)
    {
        if (pattern.Length > MaxLength)
            throw Refuse(source, field, pattern, $"is {pattern.Length:N0} characters long (at most {MaxLength:N0})");
        try
        {
            _ = new Regex(pattern, Options); // alone first: an unbalanced ")" must not close the anchoring group
            return new ModulePattern(
                pattern,
                new Regex(string.Format(System.Globalization.CultureInfo.InvariantCulture, anchored, pattern), Options)
            );
        }
        catch (ArgumentException e)
        {
            throw Refuse(source, field, pattern, $"is not a valid regular expression ({e.Message})");
        }
        catch (NotSupportedException e)
        {
            throw Refuse(source, field, pattern, $"uses a construct psim's linear-time matcher does not support ({e.Message})");
        }
    }

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    private static PsimFormatException Refuse(string source, string field, string pattern, string why) =>
        new($"{source}: {field} \"{(pattern.Length <= 80 ? pattern : pattern[..77] + "...")}\" {why}");
}
