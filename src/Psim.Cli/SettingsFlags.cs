using System.CommandLine;
using System.Text.Json.Nodes;

namespace Psim.Cli;

/// <summary>
/// Flags derived from options records: each setting of each group is <c>--GROUP-SETTING</c>, its help the setting's
/// description and its record's default (<see cref="OptionSchema"/>); a flag not given keeps the default.
/// </summary>
internal sealed class SettingsFlags<T>
    where T : class, ICheckedOptions
{
    private sealed record Flag(OptionsGroup<T> Group, OptionField Field, Option Option, Func<ParseResult, JsonNode?> Value);

    private readonly List<Flag> _flags;

    public SettingsFlags(IEnumerable<OptionsGroup<T>> groups) => _flags = [.. groups.SelectMany(g => g.Fields.Select(f => Make(g, f)))];

    private static string Name(OptionsGroup<T> group, OptionField field) => $"--{group.Name}-{field.Flag}";

    private static Flag Make(OptionsGroup<T> group, OptionField field)
    {
        string name = Name(group, field),
            help = $"{group.Label}: {field.Description} (default {OptionField.Show(field.Default)})";
        if (field.Type == typeof(int))
        {
            var o = new Option<int?>(name) { Description = help };
            return new(group, field, o, r => r.GetValue(o) is int v ? JsonValue.Create(v) : null);
        }
        if (field.Type == typeof(long))
        {
            var o = new Option<long?>(name) { Description = help };
            return new(group, field, o, r => r.GetValue(o) is long v ? JsonValue.Create(v) : null);
        }
        if (field.Type == typeof(double))
        {
            var o = new Option<double?>(name) { Description = help };
            return new(group, field, o, r => r.GetValue(o) is double v ? JsonValue.Create(v) : null);
        }
        if (field.Type == typeof(bool))
        {
            var o = new Option<bool?>(name) { Description = help };
            return new(group, field, o, r => r.GetValue(o) is bool v ? JsonValue.Create(v) : null);
        }
        if (field.Type == typeof(IReadOnlyList<double>))
        {
            var l = new Option<double[]?>(name) { Description = help, AllowMultipleArgumentsPerToken = true };
            return new(group, field, l, r =>
                r.GetValue(l) is { Length: > 0 } v ? new JsonArray([.. v.Select(x => (JsonNode)JsonValue.Create(x))]) : null
            );
        }
        if (field.Type.IsEnum)
            help =
                $"{group.Label}: {field.Description}: {string.Join(", ", OptionSchema.Names(field.Type))} (default {OptionField.Show(field.Default)})";
        var s = new Option<string?>(name) { Description = help };
        return new(group, field, s, r => r.GetValue(s) is string v ? JsonValue.Create(v) : null);
    }

    public void AddTo(Command c)
    {
        foreach (var f in _flags)
            c.Options.Add(f.Option);
    }

    /// <summary>The groups some of whose flags were given, each read into its record (the other settings at their defaults) and checked.</summary>
    public IReadOnlyList<(OptionsGroup<T> Group, T Options)> Given(ParseResult r) =>
        [
            .. _flags
                .Select(f => f.Group)
                .Distinct()
                .Select(g => (g, Values: Values(r, g)))
                .Where(x => x.Values.Count > 0)
                .Select(x => (x.g, x.g.Read(x.Values, "command line", f => Name(x.g, f)))),
        ];

    /// <summary>The group's record as the flags give it (its defaults when none is given).</summary>
    public T Read(ParseResult r, OptionsGroup<T> group) => group.Read(Values(r, group), "command line", f => Name(group, f));

    /// <summary>The settings of <paramref name="group"/> given on the command line, by their schema names.</summary>
    private JsonObject Values(ParseResult r, OptionsGroup<T> group) =>
        new(
            _flags
                .Where(f => f.Group == group)
                .Select(f => (f, Value: f.Value(r)))
                .Where(x => x.Value is not null)
                .Select(x => KeyValuePair.Create(x.f.Field.Name, x.Value))
        );
}
