using System.CommandLine;
using Psim.Defense;
using Psim.Defense.Dan;
using Psim.Defense.Guard;
using Psim.Defense.Onion;
using Psim.Defense.Rap;
using Psim.Defense.Strip;

namespace Psim.Cli;

/// <summary>The defences' settings (<c>--rap-*</c>, <c>--dan-*</c>, <c>--guard-*</c>, <c>--strip-*</c>), derived from their records (<see cref="DefenseSettings"/>).</summary>
internal sealed class DetectorSettingsFlags
{
    private readonly SettingsFlags<ICheckedOptions> _flags = new(DefenseSettings.Groups.Select(g => g.Group));

    public void AddTo(Command c) => _flags.AddTo(c);

    public RapOptions ReadRap(ParseResult r) => (RapOptions)_flags.Read(r, Group<RapOptions>());

    public DanOptions ReadDan(ParseResult r) => (DanOptions)_flags.Read(r, Group<DanOptions>());

    public GuardOptions ReadGuard(ParseResult r) => (GuardOptions)_flags.Read(r, Group<GuardOptions>());

    public StripOptions ReadStrip(ParseResult r) => (StripOptions)_flags.Read(r, Group<StripOptions>());

    public OnionOptions ReadOnion(ParseResult r) => (OnionOptions)_flags.Read(r, Group<OnionOptions>());

    private static OptionsGroup<ICheckedOptions> Group<T>() => DefenseSettings.Groups.Single(g => g.Group.Type == typeof(T)).Group;
}
