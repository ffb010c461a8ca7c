using Psim.Defense.Baselines;

namespace Psim.Defense;

/// <summary>
/// The defences' own settings records, one group each: <c>--GROUP-SETTING</c> on <c>psim defend baselines</c> and
/// <c>"defense_options": {"GROUP": {...}}</c> in a study config, read through <see cref="OptionSchema"/>.
/// </summary>
public static class DefenseSettings
{
    public static readonly OptionsGroup<ICheckedOptions> Rap = new("rap", "RAP", typeof(RapOptions));
    public static readonly OptionsGroup<ICheckedOptions> Dan = new("dan", "DAN", typeof(DanOptions));

    /// <summary>Each group and the defence that reads it.</summary>
    public static IReadOnlyList<(OptionsGroup<ICheckedOptions> Group, DefenseKind Defense)> Groups { get; } = [(Rap, DefenseKind.Rap), (Dan, DefenseKind.Dan)];

    public static OptionsGroup<ICheckedOptions>? Group(string name) => Groups.Select(g => g.Group).FirstOrDefault(g => g.Name == name);
}
