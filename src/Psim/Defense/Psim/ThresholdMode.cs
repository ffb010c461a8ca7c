namespace Psim.Defense.Psim;

/// <summary>How a detector's threshold τ was chosen.</summary>
public enum ThresholdMode
{
    /// <summary>Given at training time (default 0.7, the reference's).</summary>
    Fixed,

    /// <summary>Chosen on held-out clean rows for a target false-rejection rate.</summary>
    Calibrated,

    /// <summary>Given for one evaluation, overriding the detector's own.</summary>
    Given,
}
