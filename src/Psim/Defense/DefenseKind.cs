namespace Psim.Defense;

/// <summary>The defences psim measures (spec §4, §6): PSIM and the baselines ONION, STRIP, back-translation, SCPD, RAP and DAN; and psim's fused guard (PSIM + DAN).</summary>
public enum DefenseKind
{
    Psim,
    Onion,
    Strip,
    Backtranslation,
    Scpd,
    Rap,
    Dan,
    Guard,
}
