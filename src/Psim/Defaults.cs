namespace Psim;

/// <summary>
/// psim's defaults, each stated once: the request and option records, the CLI's help and the study
/// presets read them here. The values are the reference's (spec §2-4) unless said otherwise.
/// </summary>
public static class Defaults
{
    /// <summary>The one seed of a run.</summary>
    public const long Seed = 42;

    /// <summary>Tokens per input for training victims and detectors, and for evaluation.</summary>
    public const int MaxLength = 128;

    /// <summary>Tokens per input when poisoning with <c>psim poison</c> (the reference uses 512; psim's quick preset 128).</summary>
    public const int PoisonMaxLength = 256;

    /// <summary>Rows per inference batch.</summary>
    public const int EvalBatchSize = 64;

    /// <summary>Poisoned training rows.</summary>
    public const int PoisonCount = 1500;

    /// <summary>The false rejection rate on clean dev every inference-time detector's threshold is set to when they are compared (docs/metrics.md).</summary>
    public const double DetectorTargetFrr = 0.01;

    /// <summary>PSIM's fixed confidence threshold τ.</summary>
    public const double PsimThreshold = 0.7;

    /// <summary>Peak learning rate of full fine-tuning (and of poisoning and PSIM's detector).</summary>
    public const double FullLearningRate = 2e-5;

    /// <summary>Peak learning rate of the PEFT methods.</summary>
    public const double PeftLearningRate = 2e-3;
}
