using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Psim;

/// <summary>
/// A closed set of names psim accepts (attack kinds, epoch-selection rules, run states, ...) is an enum;
/// its spelling on the command line, in config files and in JSON is one name per member: kebab-case
/// of the member (<c>CleanDev</c> → <c>clean-dev</c>) unless the member carries
/// <see cref="JsonStringEnumMemberNameAttribute"/>. Every reader parses here, with an error that lists
/// the valid names; <see cref="VocabularyJsonConverter"/> does the same for JSON.
/// </summary>
public static class Vocabulary<T>
    where T : struct, Enum
{
    private static readonly (T Value, string Name)[] Entries = typeof(T)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f =>
            (
                (T)f.GetValue(null)!,
                f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.KebabCaseLower.ConvertName(f.Name)
            )
        )
        .ToArray();

    /// <summary>The valid names, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    public static string Name(T value)
    {
        foreach (var (v, n) in Entries)
            if (EqualityComparer<T>.Default.Equals(v, value))
                return n;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"not a named {typeof(T).Name}");
    }

    public static bool TryParse(string? text, out T value)
    {
        foreach (var (v, n) in Entries)
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        value = default;
        return false;
    }

    /// <summary>The member named <paramref name="text"/> (case-insensitive); <paramref name="what"/> names the option or field in the error.</summary>
    public static T Parse(string? text, string what) => TryParse(text, out var v) ? v : throw new PsimException(Unknown(text, what));

    /// <summary>The error for a name that is not in the vocabulary.</summary>
    public static string Unknown(string? text, string? what) =>
        $"{(what is null ? "" : what + ": ")}'{text}' is not one of {string.Join(", ", Names)}";
}

/// <summary>Reads and writes every psim vocabulary enum by its <see cref="Vocabulary{T}"/> name.</summary>
public sealed class VocabularyJsonConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsEnum && typeToConvert.Assembly == typeof(VocabularyJsonConverter).Assembly;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Of<>).MakeGenericType(typeToConvert))!;

    private sealed class Of<T> : JsonConverter<T>
        where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            if (Vocabulary<T>.TryParse(text, out var v))
                return v;
            throw new JsonException(Vocabulary<T>.Unknown(text ?? reader.TokenType.ToString(), null)); // the reader adds where
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Vocabulary<T>.Name(value));
    }
}
