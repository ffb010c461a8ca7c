using System.Text.Json.Serialization;

namespace Psim.Defense.Psim;

/// <summary>How a PSIM detector flags inputs: confidence above <see cref="Threshold"/>, and how that threshold was chosen.</summary>
public sealed record ThresholdChoice
{
    [JsonPropertyName("threshold")] public double Threshold { get; init; } = 0.7;
    /// <summary>"fixed" (given, default 0.7 as the reference) or "calibrated" (to a target FRR on held-out clean data).</summary>
    [JsonPropertyName("how")] public string How { get; init; } = "fixed";
    [JsonPropertyName("target_frr")] public double? TargetFrr { get; init; }
    [JsonPropertyName("calibration_rows")] public int? CalibrationRows { get; init; }
    [JsonPropertyName("calibration_file")] public string? CalibrationFile { get; init; }
    [JsonPropertyName("calibration_frr")] public double? CalibrationFrr { get; init; }
}

/// <summary>The contents of a detector's <c>psim.json</c>.</summary>
public sealed record DetectorSettings
{
    [JsonPropertyName("kind")] public string Kind { get; init; } = "psim-detector";
    [JsonPropertyName("method")] public string Method { get; init; } = "ptuning";
    [JsonPropertyName("threshold")] public ThresholdChoice Threshold { get; init; } = new();
    [JsonPropertyName("num_classes")] public int NumClasses { get; init; } = 2;
    [JsonPropertyName("seed")] public long Seed { get; init; }
    [JsonPropertyName("max_length")] public int MaxLength { get; init; } = 128;
    [JsonPropertyName("base_model")] public string BaseModel { get; init; } = "";
    [JsonPropertyName("base_fingerprint")] public string BaseFingerprint { get; init; } = "";
    [JsonPropertyName("train_file")] public string? TrainFile { get; init; }
    [JsonPropertyName("train_rows")] public int TrainRows { get; init; }
    [JsonPropertyName("epochs")] public int Epochs { get; init; }
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; }
}
