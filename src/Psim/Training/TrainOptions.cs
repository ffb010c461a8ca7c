namespace Psim.Training;

/// <summary>Training settings. Defaults are the reference poisoning settings (spec §2).</summary>
public sealed record TrainOptions
{
    public int Epochs { get; init; } = 3;
    public double LearningRate { get; init; } = Defaults.FullLearningRate;
    public double WeightDecay { get; init; } = 0.01;
    public int BatchSize { get; init; } = 32;
    public double WarmupRatio { get; init; } = 0.06;
    public int MaxLength { get; init; } = Defaults.MaxLength;

    /// <summary>Clip the global gradient norm to this value; null: no clipping.</summary>
    public double? MaxGradNorm { get; init; }

    /// <summary>Group rows of similar length into batches (shuffled batch order) to cut padding.</summary>
    public bool LengthBucketing { get; init; } = true;
    public int EvalBatchSize { get; init; } = Defaults.EvalBatchSize;
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>Evaluate on dev after each epoch and keep the best epoch's weights.</summary>
    public bool KeepBestEpoch { get; init; } = true;

    /// <summary>Every bound is written so that NaN fails it (NaN compares false with everything).</summary>
    public void Validate()
    {
        if (Epochs is < 1 or > 10_000)
            throw new PsimException($"epochs {Epochs} must be in [1, 10000]");
        if (!(LearningRate > 0 && LearningRate <= 1))
            throw new PsimException($"learning rate {LearningRate} is out of range (0, 1]");
        if (!(WeightDecay >= 0 && WeightDecay <= 1))
            throw new PsimException($"weight decay {WeightDecay} must be in [0, 1]");
        if (BatchSize is < 1 or > 65_536 || EvalBatchSize is < 1 or > 65_536)
            throw new PsimException("batch size must be in [1, 65536]");
        if (!(WarmupRatio >= 0 && WarmupRatio < 1))
            throw new PsimException($"warm-up ratio {WarmupRatio} must be in [0, 1)");
        if (MaxLength is < 3 or > 1_000_000)
            throw new PsimException($"max length {MaxLength} must be in [3, 1000000]");
        if (MaxGradNorm is double g && !(g > 0 && double.IsFinite(g)))
            throw new PsimException($"max gradient norm {g} must be a positive finite number");
    }
}
