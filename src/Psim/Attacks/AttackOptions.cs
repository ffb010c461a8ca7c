using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Psim.Attacks;

/// <summary>
/// An attack's own settings: a record of its folder whose described properties are the settings
/// (<see cref="OptionSchema"/>), named on the command line <c>--GROUP-SETTING</c> and in a study config
/// <c>"attack_options": {"GROUP": {...}}</c>, where GROUP is its <see cref="AttackOptionsGroup"/> in the catalog.
/// </summary>
public abstract record AttackOptions
{
    /// <summary>Refuses values outside the setting's range, naming the setting.</summary>
    public abstract void Validate();
}

/// <summary>One options record and the attacks that read it (RIPPLe and RIPPLES share theirs).</summary>
/// <param name="Name">the group's name: the flags' prefix and the study config's key</param>
/// <param name="Label">how help texts and messages name the attacks it belongs to</param>
public sealed record AttackOptionsGroup(string Name, string Label, Type Type)
{
    public IReadOnlyList<OptionField> Fields => OptionSchema.Fields(Type);

    public AttackOptions Defaults() => (AttackOptions)Activator.CreateInstance(Type)!;

    /// <summary>The record with the settings <paramref name="values"/> gives, checked (<paramref name="source"/> begins each message).</summary>
    public AttackOptions Read(JsonObject values, string source)
    {
        var options = (AttackOptions)OptionSchema.Read(values, Type, source);
        try { options.Validate(); }
        catch (PsimException e) when (e is not PsimFormatException) { throw new PsimFormatException($"{source}: {e.Message}"); }
        return options;
    }
}

/// <summary>
/// Writes an attack's options as <c>{"GROUP": {every setting}}</c> and reads them back through the catalog, so that
/// step keys, run.json and plan.json hold each setting by its schema name and an executor rebuilds the record.
/// </summary>
public sealed class AttackOptionsJsonConverter : JsonConverter<AttackOptions>
{
    public override AttackOptions Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (JsonNode.Parse(ref reader) is not JsonObject { Count: 1 } o)
            throw new JsonException("attack options are an object with one field, the options group");
        var (name, values) = o.First();
        var group = AttackCatalog.Group(name) ?? throw new JsonException($"'{name}' is not an attack options group; valid: {string.Join(", ", AttackCatalog.Groups.Select(g => g.Name))}");
        if (values is not JsonObject settings) throw new JsonException($"{name}: the settings are an object");
        return group.Read(settings, name);
    }

    public override void Write(Utf8JsonWriter writer, AttackOptions value, JsonSerializerOptions options)
    {
        var group = AttackCatalog.GroupOf(value.GetType());
        new JsonObject { [group.Name] = OptionSchema.Write(value) }.WriteTo(writer, options);
    }
}
