using System.Text.Json.Nodes;

namespace Psim;

/// <summary>An options record that checks its own values (an attack's or a defence's settings).</summary>
public interface ICheckedOptions
{
    /// <summary>Refuses values outside a setting's range, naming the setting.</summary>
    void Validate();
}

/// <summary>
/// One options record under one name: the prefix of its command-line flags (<c>--NAME-SETTING</c>) and its key in a
/// study config's options section. <paramref name="Label"/> names, in help texts and messages, what reads it.
/// </summary>
public sealed record OptionsGroup<T>(string Name, string Label, Type Type)
    where T : class, ICheckedOptions
{
    public IReadOnlyList<OptionField> Fields => OptionSchema.Fields(Type);

    public T Defaults() => (T)Activator.CreateInstance(Type)!;

    /// <summary>The record with the settings <paramref name="values"/> gives, checked (<paramref name="source"/> begins each message).</summary>
    public T Read(JsonObject values, string source, Func<OptionField, string>? place = null)
    {
        var options = (T)OptionSchema.Read(values, Type, source, place);
        try
        {
            options.Validate();
        }
        catch (PsimException e) when (e is not PsimFormatException)
        {
            throw new PsimFormatException($"{source}: {e.Message}");
        }
        return options;
    }
}
