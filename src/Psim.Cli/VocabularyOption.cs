using System.CommandLine;
using System.CommandLine.Parsing;

namespace Psim.Cli;

/// <summary>An option whose value is one of a psim vocabulary's names, parsed by <see cref="Vocabulary{T}"/>; help lists the names.</summary>
internal static class VocabularyOption
{
    public static Option<T> Create<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        var o = new Option<T>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            HelpName = string.Join("|", Vocabulary<T>.Names),
            CustomParser = r => Parse<T>(r, name) ?? default,
        };
        o.CompletionSources.Add(Vocabulary<T>.Names.ToArray());
        return o;
    }

    /// <summary>An optional vocabulary option (null when not given).</summary>
    public static Option<T?> Optional<T>(string name, string description, bool required = false) where T : struct, Enum
    {
        var o = new Option<T?>(name)
        {
            Description = description, Required = required, HelpName = string.Join("|", Vocabulary<T>.Names),
            CustomParser = r => Parse<T>(r, name),
        };
        o.CompletionSources.Add(Vocabulary<T>.Names.ToArray());
        return o;
    }

    /// <summary>An option taking several names (none given: an empty array).</summary>
    public static Option<T[]> Many<T>(string name, string description) where T : struct, Enum
    {
        var o = new Option<T[]>(name)
        {
            Description = description, AllowMultipleArgumentsPerToken = true, HelpName = string.Join("|", Vocabulary<T>.Names),
            CustomParser = r => r.Tokens.Select(t => Vocabulary<T>.TryParse(t.Value, out var v) ? v : Fail<T>(r, t.Value, name)).ToArray(),
        };
        o.CompletionSources.Add(Vocabulary<T>.Names.ToArray());
        return o;
    }

    private static T Fail<T>(ArgumentResult r, string text, string name) where T : struct, Enum
    {
        r.AddError(Vocabulary<T>.Unknown(text, name));
        return default;
    }

    private static T? Parse<T>(ArgumentResult r, string name) where T : struct, Enum
    {
        string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
        if (Vocabulary<T>.TryParse(text, out var v)) return v;
        r.AddError(Vocabulary<T>.Unknown(text, name));
        return null;
    }
}
