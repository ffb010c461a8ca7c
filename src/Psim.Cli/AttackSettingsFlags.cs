using System.CommandLine;
using Psim.Attacks;

namespace Psim.Cli;

/// <summary>
/// The attacks' own settings on <c>psim poison</c>, from the catalog's options groups (<see cref="AttackCatalog.Groups"/>):
/// <c>--GROUP-SETTING</c>. Binds the settings given into the <see cref="AttackSpec"/>'s options.
/// </summary>
internal sealed class AttackSettingsFlags
{
    private readonly SettingsFlags<AttackOptions> _flags = new(AttackCatalog.Groups);

    public void AddTo(Command c) => _flags.AddTo(c);

    /// <summary>The spec with the settings given (none given: the attack's defaults; another attack's settings are refused by the workflow).</summary>
    public AttackSpec Read(ParseResult r, AttackSpec spec)
    {
        var given = _flags.Given(r);
        if (given.Count > 1)
            throw new PsimException(
                $"settings of several attacks given ({string.Join("; ", given.Select(g => g.Group.Label))}); give those of --attack {spec.Name} only"
            );
        return given.Count == 0 ? spec : spec with { Options = given[0].Options };
    }
}
