namespace Psim.Defense;

/// <summary>The defences psim measures (spec §4, §6): PSIM and the baselines ONION, STRIP, back-translation, SCPD, RAP and DAN.</summary>
public enum DefenseKind
{
    Psim,
    Onion,
    Strip,
    Backtranslation,
    Scpd,
    Rap,
    Dan,
}
