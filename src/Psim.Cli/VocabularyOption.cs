using System.CommandLine;
using System.CommandLine.Parsing;

namespace Psim.Cli;

/// <summary>An option whose value is one of a psim vocabulary's names, parsed by <see cref="Vocabulary{T}"/>; help lists the names.</summary>
internal static class VocabularyOption
{
    /// <summary>
    /// An option with a default: its help states the default by its vocabulary name (System.CommandLine
    /// would print the enum member's C# name), and <see cref="Defaulted{T}.Read"/> applies it.
    /// </summary>
    public static Defaulted<T> Create<T>(string name, string description, T defaultValue)
        where T : struct, Enum => new(Optional<T>(name, $"{description} [default: {Vocabulary<T>.Name(defaultValue)}]"), defaultValue);

    public sealed record Defaulted<T>(Option<T?> Option, T Default)
        where T : struct, Enum
    {
        public T Read(ParseResult r) => r.GetValue(Option) ?? Default;
    }

    /// <summary>An optional vocabulary option (null when not given).</summary>
    public static Option<T?> Optional<T>(string name, string description, bool required = false)
        where T : struct, Enum =>
        Named<T?, T>(
            new Option<T?>(name)
            {
                Description = description,
                Required = required,
                CustomParser = r => Parse<T>(r, r.Tokens.Count > 0 ? r.Tokens[^1].Value : "", name),
            }
        );

    /// <summary>An option taking several names (none given: an empty array).</summary>
    public static Option<T[]> Many<T>(string name, string description)
        where T : struct, Enum =>
        Named<T[], T>(
            new Option<T[]>(name)
            {
                Description = description,
                AllowMultipleArgumentsPerToken = true,
                CustomParser = r => r.Tokens.Select(t => Parse<T>(r, t.Value, name)).ToArray(),
            }
        );

    private static Option<TValue> Named<TValue, T>(Option<TValue> o)
        where T : struct, Enum
    {
        o.HelpName = string.Join("|", Vocabulary<T>.Names);
        o.CompletionSources.Add(Vocabulary<T>.Names.ToArray());
        return o;
    }

    /// <summary>The member named <paramref name="text"/>, or a parse error naming the option and the valid names.</summary>
    private static T Parse<T>(ArgumentResult r, string text, string name)
        where T : struct, Enum
    {
        if (Vocabulary<T>.TryParse(text, out var v))
            return v;
        r.AddError(Vocabulary<T>.Unknown(text, name));
        return default;
    }
}
