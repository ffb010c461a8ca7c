using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Psim.Attacks;

/// <summary>
/// An attack's own settings: a record of its folder whose described properties are the settings
/// (<see cref="OptionSchema"/>), named on the command line <c>--GROUP-SETTING</c> and in a study config
/// <c>"attack_options": {"GROUP": {...}}</c>, where GROUP is the name of its group in the catalog.
/// </summary>
public abstract record AttackOptions : ICheckedOptions
{
    /// <summary>Refuses values outside the setting's range, naming the setting.</summary>
    public abstract void Validate();
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
        var group = AttackCatalog.Group(name)
            ?? throw new JsonException(
                $"'{name}' is not an attack options group; valid: {string.Join(", ", AttackCatalog.Groups.Select(g => g.Name))}"
            );
        if (values is not JsonObject settings)
            throw new JsonException($"{name}: the settings are an object");
        try
        {
            return group.Read(settings, name);
        }
        catch (PsimException e)
        {
            throw new JsonException(e.Message, e);
        } // the reader of the file names it
    }

    public override void Write(Utf8JsonWriter writer, AttackOptions value, JsonSerializerOptions options)
    {
        var group = AttackCatalog.GroupOf(value.GetType());
        new JsonObject { [group.Name] = OptionSchema.Write(value) }.WriteTo(writer, options);
    }
}
