using System.CommandLine;
using System.Text.Json.Nodes;
using Psim.Attacks;

namespace Psim.Cli;

/// <summary>
/// The attacks' own settings on <c>psim poison</c>, derived from the catalog: each setting of each options group
/// (<see cref="AttackCatalog.Groups"/>) is the flag <c>--GROUP-SETTING</c>, its help the setting's description and
/// its record's default. Binds the settings given into the <see cref="AttackSpec"/>'s options.
/// </summary>
internal sealed class AttackSettingsFlags
{
    private sealed record Flag(AttackOptionsGroup Group, OptionField Field, Option Option, Func<ParseResult, JsonNode?> Value);

    private readonly List<Flag> _flags = [.. AttackCatalog.Groups.SelectMany(g => g.Fields.Select(f => Make(g, f)))];

    private static Flag Make(AttackOptionsGroup group, OptionField field)
    {
        string name = $"--{group.Name}-{field.Flag}", help = $"{group.Label}: {field.Description} (default {OptionField.Show(field.Default)})";
        if (field.Type == typeof(int)) { var o = new Option<int?>(name) { Description = help }; return new(group, field, o, r => r.GetValue(o) is int v ? JsonValue.Create(v) : null); }
        if (field.Type == typeof(long)) { var o = new Option<long?>(name) { Description = help }; return new(group, field, o, r => r.GetValue(o) is long v ? JsonValue.Create(v) : null); }
        if (field.Type == typeof(double)) { var o = new Option<double?>(name) { Description = help }; return new(group, field, o, r => r.GetValue(o) is double v ? JsonValue.Create(v) : null); }
        if (field.Type == typeof(bool)) { var o = new Option<bool?>(name) { Description = help }; return new(group, field, o, r => r.GetValue(o) is bool v ? JsonValue.Create(v) : null); }
        var s = new Option<string?>(name) { Description = help };
        return new(group, field, s, r => r.GetValue(s) is string v ? JsonValue.Create(v) : null);
    }

    public void AddTo(Command c)
    {
        foreach (var f in _flags) c.Options.Add(f.Option);
    }

    /// <summary>The spec with the settings given (none given: the attack's defaults; another attack's settings are refused by the workflow).</summary>
    public AttackSpec Read(ParseResult r, AttackSpec spec)
    {
        var given = _flags.Select(f => (f, Value: f.Value(r))).Where(x => x.Value is not null).ToList();
        var groups = given.Select(x => x.f.Group).Distinct().ToList();
        if (groups.Count > 1) throw new PsimException($"settings of several attacks given ({string.Join("; ", groups.Select(g => g.Label))}); give those of --attack {spec.Name} only");
        if (groups.Count == 0) return spec;
        var values = new JsonObject(given.Select(x => KeyValuePair.Create(x.f.Field.Name, x.Value)));
        return spec with { Options = groups[0].Read(values, "command line") };
    }
}
