namespace Psim.Training;

/// <summary>Training settings. Defaults are the reference poisoning settings (spec §2).</summary>
public sealed record TrainOptions
{
    public int Epochs { get; init; } = 3;
    public double LearningRate { get; init; } = 2e-5;
    public double WeightDecay { get; init; } = 0.01;
    public int BatchSize { get; init; } = 32;
    public double WarmupRatio { get; init; } = 0.06;
    public int MaxLength { get; init; } = 128;
    /// <summary>Clip the global gradient norm to this value; null: no clipping.</summary>
    public double? MaxGradNorm { get; init; }
    /// <summary>Group rows of similar length into batches (shuffled batch order) to cut padding.</summary>
    public bool LengthBucketing { get; init; } = true;
    public int EvalBatchSize { get; init; } = 64;
    public long Seed { get; init; } = 42;
    /// <summary>Evaluate on dev after each epoch and keep the best epoch's weights.</summary>
    public bool KeepBestEpoch { get; init; } = true;

    public void Validate()
    {
        if (Epochs < 1) throw new PsimException("epochs must be at least 1");
        if (LearningRate is <= 0 or > 1) throw new PsimException($"learning rate {LearningRate} is out of range (0, 1]");
        if (WeightDecay < 0) throw new PsimException("weight decay must not be negative");
        if (BatchSize < 1 || EvalBatchSize < 1) throw new PsimException("batch size must be at least 1");
        if (WarmupRatio is < 0 or >= 1) throw new PsimException("warm-up ratio must be in [0, 1)");
        if (MaxLength < 3) throw new PsimException("max length must be at least 3");
        if (MaxGradNorm is <= 0) throw new PsimException("max gradient norm must be positive");
    }
}
