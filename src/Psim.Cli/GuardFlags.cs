using System.CommandLine;
using Psim.Defense;
using Psim.Defense.Guard;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary>
/// The fused guard where the victim serves (<c>--guard-data</c>, <c>--guard-reference</c>, <c>--guard-target-frr</c> and the
/// guard's settings <c>--guard-*</c>); binds a <see cref="GuardInput"/>, or none without <c>--guard-data</c> (PSIM alone).
/// </summary>
internal sealed class GuardFlags
{
    private readonly Option<string?> _data = new("--guard-data")
    {
        Description =
            "guard with the fused guard (PSIM, DAN and the audit's suspect tokens) instead of PSIM alone, calibrated on this clean task folder's dev rows (DAN at its default settings)",
    };

    private readonly Option<string?> _reference = new("--guard-reference")
    {
        Description =
            "the clean base the victim claims to derive from ('minilm' or a folder): the guard also flags the tokens an audit against it names",
    };

    private readonly Option<double> _frr = new("--guard-target-frr")
    {
        Description = "false-rejection rate on clean dev that sets the guard's threshold",
        DefaultValueFactory = _ => Defaults.DetectorTargetFrr,
    };

    private static readonly OptionsGroup<ICheckedOptions> Group = DefenseSettings
        .Groups.Single(g => g.Group.Type == typeof(GuardOptions))
        .Group;
    private readonly SettingsFlags<ICheckedOptions> _settings = new([Group]);

    public void AddTo(Command c)
    {
        c.Options.Add(_data);
        c.Options.Add(_reference);
        c.Options.Add(_frr);
        _settings.AddTo(c);
    }

    public GuardInput? Read(ParseResult r)
    {
        var (data, reference) = (r.GetValue(_data), r.GetValue(_reference));
        if (data is null && reference is not null)
            throw new PsimException("--guard-reference needs --guard-data (the clean dev rows the guard is calibrated on)");
        if (data is null)
            return null;
        return new GuardInput
        {
            Task = new TaskInput { DataDir = data },
            Reference = reference,
            TargetFrr = r.GetValue(_frr),
            Guard = (GuardOptions)_settings.Read(r, Group),
        };
    }
}
