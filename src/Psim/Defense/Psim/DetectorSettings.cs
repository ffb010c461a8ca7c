using System.Text.Json.Serialization;
using Psim.Defense.Detection;
using Psim.Peft;

namespace Psim.Defense.Psim;

/// <summary>How a PSIM detector flags inputs: confidence above <see cref="Threshold"/>, and how that threshold was chosen.</summary>
public sealed record ThresholdChoice
{
    [JsonPropertyName("threshold")]
    public double Threshold { get; init; } = Defaults.PsimThreshold;

    /// <summary>Fixed (given, default 0.7 as the reference) or calibrated (to a target FRR on held-out clean data).</summary>
    [JsonPropertyName("how"), JsonConverter(typeof(VocabularyJsonConverter))]
    public ThresholdMode How { get; init; } = ThresholdMode.Fixed;

    [JsonPropertyName("target_frr")]
    public double? TargetFrr { get; init; }

    [JsonPropertyName("calibration_rows")]
    public int? CalibrationRows { get; init; }

    [JsonPropertyName("calibration_file")]
    public string? CalibrationFile { get; init; }

    [JsonPropertyName("calibration_frr")]
    public double? CalibrationFrr { get; init; }
}

/// <summary>The contents of a detector's <c>psim.json</c>.</summary>
public sealed record DetectorSettings
{
    [JsonPropertyName("kind")]
    public string Kind { get; init; } = "psim-detector";

    [JsonPropertyName("method"), JsonConverter(typeof(VocabularyJsonConverter))]
    public TuningMethod Method { get; init; } = TuningMethod.PTuning;

    [JsonPropertyName("threshold")]
    public ThresholdChoice Threshold { get; init; } = new();

    [JsonPropertyName("num_classes")]
    public int NumClasses { get; init; } = 2;

    [JsonPropertyName("seed")]
    public long Seed { get; init; }

    [JsonPropertyName("max_length")]
    public int MaxLength { get; init; } = Defaults.MaxLength;

    [JsonPropertyName("base_model")]
    public string BaseModel { get; init; } = "";

    [JsonPropertyName("base_fingerprint")]
    public string BaseFingerprint { get; init; } = "";

    [JsonPropertyName("train_file")]
    public string? TrainFile { get; init; }

    [JsonPropertyName("train_rows")]
    public int TrainRows { get; init; }

    [JsonPropertyName("epochs")]
    public int Epochs { get; init; }

    [JsonPropertyName("learning_rate")]
    public double LearningRate { get; init; }

    /// <summary>Checks a psim.json read from disk: every field present and in range, or an error naming it.</summary>
    public void Validate(string source)
    {
        void Need(bool ok, string what)
        {
            if (!ok)
                throw new PsimFormatException($"{source}: {what}");
        }
        Need(Kind == "psim-detector", $"kind '{Kind}' is not psim-detector");
        Need(Threshold is not null, "\"threshold\" is missing or null");
        Need(Threshold!.Threshold >= 0 && Threshold.Threshold <= 1, $"threshold.threshold {Threshold.Threshold} is outside [0, 1]");
        Need(NumClasses is >= 2 and <= Data.TaskClasses.Max, $"num_classes {NumClasses} is out of range [2, {Data.TaskClasses.Max}]");
        Need(MaxLength is >= 3 and <= 1_000_000, $"max_length {MaxLength} is out of range");
        Need(
            Method.IsPeft(),
            $"method '{Method.Name()}' is not a PEFT method (one of {string.Join(", ", TuningMethods.Peft.Select(m => m.Name()))})"
        );
        Need(BaseFingerprint is not null && BaseModel is not null, "base_fingerprint or base_model is null");
    }
}
