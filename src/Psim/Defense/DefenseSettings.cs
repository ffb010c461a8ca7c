namespace Psim.Defense;

/// <summary>
/// The defences' own settings records, one group each (from <see cref="DefenseCatalog"/>): <c>--GROUP-SETTING</c> on
/// <c>psim defend baselines</c> and <c>"defense_options": {"GROUP": {...}}</c> in a study config, read through <see cref="OptionSchema"/>.
/// </summary>
public static class DefenseSettings
{
    /// <summary>Each group and the defence that reads it.</summary>
    public static IReadOnlyList<(OptionsGroup<ICheckedOptions> Group, DefenseKind Defense)> Groups { get; } =
    [.. DefenseCatalog.All.Where(d => d.Options is not null).Select(d => (d.Options!, d.Kind))];

    public static OptionsGroup<ICheckedOptions>? Group(string name) => Groups.Select(g => g.Group).FirstOrDefault(g => g.Name == name);

    /// <summary>The group of a settings record's type.</summary>
    public static OptionsGroup<ICheckedOptions> Of(Type optionsType) =>
        Groups.Select(g => g.Group).SingleOrDefault(g => g.Type == optionsType)
        ?? throw new InvalidOperationException($"{optionsType.Name} is no defence's settings record");
}
