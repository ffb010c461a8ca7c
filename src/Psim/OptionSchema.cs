using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Psim;

/// <summary>
/// One setting of an options record: its name in JSON (the study config's <c>attack_options</c>, step keys,
/// run.json: the property's <see cref="JsonPropertyNameAttribute"/>, else snake_case), its command-line flag
/// suffix (the name in kebab-case), its type, its default (from the record's parameterless constructor) and its
/// one description (<see cref="DescriptionAttribute"/>).
/// </summary>
public sealed record OptionField(string Name, string Flag, Type Type, object? Default, string Description, PropertyInfo Property)
{
    /// <summary>A value as help texts and messages show it.</summary>
    public static string Show(object? value) =>
        value switch
        {
            null => "none",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            Enum e => OptionSchema.NameOf(e),
            IReadOnlyList<double> { Count: 0 } => "none",
            IReadOnlyList<double> list => string.Join(" ", list.Select(x => x.ToString("R", CultureInfo.InvariantCulture))),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
}

/// <summary>
/// An options record (an attack's or a defence's settings) is its own schema: every public init property with a
/// <see cref="DescriptionAttribute"/> is a setting, the record's defaults are the defaults. The command line, the
/// study config and the JSON in step keys all read and write settings here, so a setting is declared once.
/// </summary>
public static class OptionSchema
{
    private static readonly Type[] Supported =
    [
        typeof(int),
        typeof(long),
        typeof(double),
        typeof(bool),
        typeof(string),
        typeof(IReadOnlyList<double>),
    ];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, IReadOnlyList<OptionField>> Schemas = new();

    /// <summary>The settings of <paramref name="type"/>, in declaration order (read once per type).</summary>
    public static IReadOnlyList<OptionField> Fields(Type type) => Schemas.GetOrAdd(type, Build);

    private static IReadOnlyList<OptionField> Build(Type type)
    {
        var defaults = Activator.CreateInstance(type)
            ?? throw new InvalidOperationException($"{type.Name} has no parameterless constructor");
        var fields = new List<OptionField>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var description = p.GetCustomAttribute<DescriptionAttribute>()?.Description
                ?? throw new InvalidOperationException($"{type.Name}.{p.Name} is a setting without a [Description]");
            if (!Supported.Contains(p.PropertyType) && !p.PropertyType.IsEnum)
                throw new InvalidOperationException(
                    $"{type.Name}.{p.Name}: settings are numbers, booleans, strings, vocabulary names or lists of numbers, not {p.PropertyType.Name}"
                );
            string name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);
            fields.Add(new OptionField(name, name.Replace('_', '-'), p.PropertyType, p.GetValue(defaults), description, p));
        }
        return fields;
    }

    /// <summary>
    /// A record of <paramref name="type"/> with the defaults, and the settings <paramref name="values"/> names
    /// changed. An unknown name is refused with the valid ones listed, a value of the wrong type with the setting
    /// named; <paramref name="source"/> begins every message (a file and section), <paramref name="place"/> names a
    /// setting in them (default: SOURCE.NAME; the command line names the flag).
    /// </summary>
    public static object Read(JsonObject values, Type type, string source, Func<OptionField, string>? place = null)
    {
        place ??= f => $"{source}.{f.Name}";
        var fields = Fields(type);
        var result = Activator.CreateInstance(type)!;
        foreach (var (name, node) in values)
        {
            var field = fields.FirstOrDefault(f => f.Name == name)
                ?? throw new PsimFormatException(
                    $"{source}: '{name}' is not a setting here; valid: {string.Join(", ", fields.Select(f => f.Name))}"
                );
            field.Property.SetValue(result, Value(node, field, place(field)));
        }
        return result;
    }

    private static object Value(JsonNode? node, OptionField field, string at)
    {
        if (field.Type == typeof(IReadOnlyList<double>))
            return node is JsonArray a && a.All(x => x is JsonValue xv && xv.GetValueKind() == JsonValueKind.Number)
                ? a.Select(x => x!.GetValue<double>()).ToArray()
                : throw new PsimFormatException($"{at}: expected a list of numbers, not {node?.ToJsonString() ?? "null"}");
        if (node is not JsonValue v)
            throw new PsimFormatException(
                $"{at}: expected {Describe(field.Type)}, not {(node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant())}"
            );
        try
        {
            return v.GetValueKind() switch
            {
                JsonValueKind.Number when field.Type == typeof(double) => v.GetValue<double>(),
                JsonValueKind.Number when field.Type == typeof(int) => v.GetValue<int>(),
                JsonValueKind.Number when field.Type == typeof(long) => v.GetValue<long>(),
                JsonValueKind.True or JsonValueKind.False when field.Type == typeof(bool) => v.GetValue<bool>(),
                JsonValueKind.String when field.Type == typeof(string) => v.GetValue<string>(),
                JsonValueKind.String when field.Type.IsEnum => ParseName(field.Type, v.GetValue<string>(), at),
                _ => throw new FormatException(),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw new PsimFormatException($"{at}: expected {Describe(field.Type)}, not {v.ToJsonString()}");
        }
    }

    private static string Describe(Type t) =>
        t == typeof(double) ? "a number"
        : t == typeof(int) || t == typeof(long) ? "a whole number"
        : t == typeof(bool) ? "true or false"
        : t == typeof(IReadOnlyList<double>) ? "a list of numbers"
        : t.IsEnum ? $"one of {string.Join(", ", Names(t))}"
        : "a string";

    private static Type Vocabulary(Type enumType) => typeof(Vocabulary<>).MakeGenericType(enumType);

    /// <summary>A vocabulary enum's valid names.</summary>
    public static IReadOnlyList<string> Names(Type enumType) =>
        (IReadOnlyList<string>)Vocabulary(enumType).GetProperty(nameof(Vocabulary<StringComparison>.Names))!.GetValue(null)!;

    /// <summary>A vocabulary enum member's name.</summary>
    public static string NameOf(Enum value) =>
        (string)Vocabulary(value.GetType()).GetMethod(nameof(Vocabulary<StringComparison>.Name))!.Invoke(null, [value])!;

    private static object ParseName(Type enumType, string text, string at)
    {
        var args = new object?[] { text, null };
        return (bool)Vocabulary(enumType).GetMethod(nameof(Vocabulary<StringComparison>.TryParse))!.Invoke(null, args)!
            ? args[1]!
            : throw new PsimFormatException($"{at}: '{text}' is not one of {string.Join(", ", Names(enumType))}");
    }

    /// <summary>The record's settings as a JSON object (every setting, defaults included), for keys and run.json.</summary>
    public static JsonObject Write(object options)
    {
        var o = new JsonObject();
        foreach (var f in Fields(options.GetType()))
            o[f.Name] = f.Property.GetValue(options) switch
            {
                double d => JsonValue.Create(d),
                int i => JsonValue.Create(i),
                long l => JsonValue.Create(l),
                bool b => JsonValue.Create(b),
                string s => JsonValue.Create(s),
                Enum e => JsonValue.Create(NameOf(e)),
                IReadOnlyList<double> list => new JsonArray([.. list.Select(x => (JsonNode)JsonValue.Create(x))]),
                null => null,
                var other => throw new InvalidOperationException($"{options.GetType().Name}.{f.Property.Name}: {other}"),
            };
        return o;
    }
}
