using System.Text.Json;
using Psim.Data;
using Psim.Defense.Detection;
using Psim.Files;
using Psim.IO;
using Psim.Peft;
using Psim.Runtime;
using Psim.Training;

namespace Psim.Defense.Psim;

/// <summary>Settings of PSIM training (spec §4; defaults are the reference's).</summary>
public sealed record DetectorTrainOptions
{
    public TuningMethod Method { get; init; } = TuningMethod.PTuning;
    public TrainOptions Train { get; init; } =
        new()
        {
            Epochs = 1,
            BatchSize = 32,
            WarmupRatio = 0.06,
            KeepBestEpoch = false,
        };

    /// <summary>Fixed threshold (reference 0.7), used when <see cref="TargetFrr"/> is null.</summary>
    public double Threshold { get; init; } = Defaults.PsimThreshold;

    /// <summary>
    /// τ calibrated on held-out clean data to this false-rejection rate (default 1%: the reference's fixed 0.7 rejected
    /// 13-52% of clean SST-2 inputs on MiniLM, docs/notebook/results.md); null: the fixed <see cref="Threshold"/>.
    /// </summary>
    public double? TargetFrr { get; init; } = Defaults.DetectorTargetFrr;

    /// <summary>The one range check of a PSIM threshold τ, wherever one is given: a softmax confidence, in [0, 1].</summary>
    public static void CheckThreshold(double threshold)
    {
        if (!(threshold >= 0 && threshold <= 1))
            throw new PsimException($"threshold {threshold} (--threshold) must be in [0, 1]: it is a softmax confidence");
    }

    public void Validate()
    {
        Train.Validate();
        if (!Method.IsPeft())
            throw new PsimException(
                $"a PSIM detector trains by a PEFT method, not {Method.Name()} (one of {string.Join(", ", TuningMethods.Peft.Select(m => m.Name()))})"
            );
        CheckThreshold(Threshold);
        if (TargetFrr is double f && !(f >= 0 && f < 1))
            throw new PsimException($"target FRR {f} (--target-frr) must be in [0, 1)");
    }
}

/// <summary>
/// Trains a PSIM detector: the suspicious checkpoint (poisoned head included) wrapped with a PEFT
/// method, trained on the defender's clean training set with every label replaced by a uniformly
/// random one. The frozen backbone cannot learn the task, so clean inputs end near chance
/// confidence while a backdoor trigger still fires with extreme confidence.
/// </summary>
public static class DetectorTrainer
{
    public static PsimDetector Train(
        HfCheckpoint suspicious,
        string suspiciousSource,
        IReadOnlyList<Example> clean,
        string? trainFile,
        IReadOnlyList<Example>? calibration,
        string? calibrationFile,
        DetectorTrainOptions o,
        string outDir,
        Action<string> log,
        CancellationToken ct = default
    )
    {
        var t = o.Train;
        o.Validate();
        int k = TaskClasses.Count(clean, trainFile ?? "the clean training rows");
        var relabelled = RandomRelabel.Apply(clean, k, Seeds.Random(t.Seed, "psim/relabel"));
        log($"PSIM: {clean.Count} clean rows relabelled uniformly at random over {k} classes; method {o.Method.Name()}");
        var encoder = suspicious.CreateTextEncoder(t.MaxLength);
        TorchSharp.torch.manual_seed(Seeds.Derive(t.Seed, "torch/init")); // the PEFT module (and any new head) from the run's seed
        var classifier = suspicious.LoadClassifier(out var report, numLabels: k);
        if (report.HeadNote(k) is { } headNote)
            log(headNote);
        var peft = PeftFactory.Attach(classifier, PeftFactory.DefaultConfig(o.Method, classifier.Config, suspiciousSource));
        var result = new Trainer(log).Train(peft, peft.TrainableParameters(), EncodedSet.From(encoder, relabelled), encoder, t, ct: ct);
        if (result.Interrupted)
            throw new PsimInterruptedException("stopped before the detector finished its training; nothing was saved");

        var fingerprint = WeightsFingerprint.Compute(suspicious.Weights);
        var settings = new DetectorSettings
        {
            Method = o.Method,
            NumClasses = k,
            Seed = t.Seed,
            MaxLength = t.MaxLength,
            BaseModel = Path.GetFullPath(suspicious.Directory),
            BaseFingerprint = fingerprint,
            TrainFile = trainFile is null ? null : Path.GetFullPath(trainFile),
            TrainRows = clean.Count,
            Epochs = t.Epochs,
            LearningRate = t.LearningRate,
            Threshold = new ThresholdChoice { Threshold = o.Threshold, How = ThresholdMode.Fixed },
        };
        var detector = CreateInMemory(outDir, settings, peft, encoder);
        if (o.TargetFrr is double target)
        {
            if (calibration is null || calibration.Count == 0)
                throw new PsimException("calibrating to a target FRR needs held-out clean data (a dev set)");
            settings = settings with { Threshold = Calibrate(detector, calibration, calibrationFile, target, log, ct) };
            detector = CreateInMemory(outDir, settings, peft, encoder);
        }
        PeftAdapterFolder.Save(outDir, peft, suspicious, fingerprint);
        SaveSettings(outDir, settings);
        return detector;
    }

    /// <summary>
    /// Re-chooses the threshold of a saved detector for a new target FRR on held-out clean rows,
    /// without retraining, and rewrites its psim.json.
    /// </summary>
    public static ThresholdChoice Recalibrate(
        PsimDetector detector,
        IReadOnlyList<Example> calibration,
        string? calibrationFile,
        double targetFrr,
        Action<string> log,
        CancellationToken ct = default
    )
    {
        if (calibration.Count == 0)
            throw new PsimException("calibration needs held-out clean rows");
        var choice = Calibrate(detector, calibration, calibrationFile, targetFrr, log, ct);
        SaveSettings(detector.Directory, detector.Settings with { Threshold = choice });
        return choice;
    }

    /// <summary>Scores held-out clean rows with the detector and chooses τ for the target FRR.</summary>
    private static ThresholdChoice Calibrate(
        PsimDetector detector,
        IReadOnlyList<Example> calibration,
        string? calibrationFile,
        double targetFrr,
        Action<string> log,
        CancellationToken ct
    )
    {
        var scores = detector.Score(calibration.Select(e => e.Text).ToList(), progressLabel: "calibration", ct: ct);
        double tau = ThresholdCalibration.ForTargetFrr(scores, targetFrr);
        var choice = new ThresholdChoice
        {
            Threshold = tau,
            How = ThresholdMode.Calibrated,
            TargetFrr = targetFrr,
            CalibrationRows = calibration.Count,
            CalibrationFile = calibrationFile is null ? null : Path.GetFullPath(calibrationFile),
            CalibrationFrr = scores.Count(s => s > tau) / (double)scores.Length,
        };
        log(
            $"PSIM: threshold {tau:F6} flags {choice.CalibrationFrr:P2} of {calibration.Count} held-out clean rows (target {targetFrr:P1})"
        );
        return choice;
    }

    private static void SaveSettings(string dir, DetectorSettings settings) =>
        AtomicFile.WriteAllText(
            Path.Combine(dir, PsimDetector.SettingsFile),
            JsonSerializer.Serialize(settings, new JsonSerializerOptions { WriteIndented = true })
        );

    private static PsimDetector CreateInMemory(string dir, DetectorSettings s, PeftClassifier model, TextEncoder encoder) =>
        PsimDetector.Create(dir, s, model, encoder);
}
