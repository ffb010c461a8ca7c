using System.Text.Json;
using Psim.Data;
using Psim.Evaluation;
using Psim.IO;
using Psim.Peft;
using Psim.Training;

namespace Psim.Defense.Psim;

/// <summary>
/// A trained PSIM detector: a PEFT adapter on the suspicious checkpoint plus <c>psim.json</c>.
/// c(x) = max softmax probability; inputs with c(x) &gt; τ are flagged as poisoned and rejected.
/// </summary>
public sealed class PsimDetector : IDisposable
{
    public const string SettingsFile = "psim.json";

    public string Directory { get; }
    public DetectorSettings Settings { get; }
    public PeftClassifier Model { get; }
    public TextEncoder Encoder { get; }
    public double Threshold => Settings.Threshold.Threshold;

    private PsimDetector(string dir, DetectorSettings settings, PeftClassifier model, TextEncoder encoder)
    {
        Directory = dir;
        Settings = settings;
        Model = model;
        Encoder = encoder;
    }

    public static DetectorSettings ReadSettings(string dir)
    {
        var path = Path.Combine(dir, SettingsFile);
        if (!System.IO.Directory.Exists(dir))
            throw new PsimException($"{dir}: detector folder not found");
        if (!File.Exists(path))
            throw new PsimException($"{dir}: no {SettingsFile}; not a PSIM detector folder (psim detector train writes one)");
        IO.RunFile.RequireFinished(dir);
        try
        {
            var s = Files.Json.Parse(path)?.Deserialize<DetectorSettings>() ?? throw new PsimFormatException($"{path}: empty");
            s.Validate(path);
            return s;
        }
        catch (JsonException e)
        {
            throw new PsimFormatException(
                e.Path is { Length: > 1 } at ? $"{path}: {at.TrimStart('$', '.')}: {e.Message}" : $"{path}: invalid JSON: {e.Message}"
            );
        }
    }

    /// <summary>
    /// Loads a detector onto <paramref name="baseCheckpoint"/> (by default the base recorded in psim.json).
    /// The base's weights must be the ones the detector was trained on; otherwise loading is refused.
    /// </summary>
    public static PsimDetector Load(string dir, HfCheckpoint? baseCheckpoint = null, Action<string>? log = null)
    {
        var settings = ReadSettings(dir);
        var ckpt = baseCheckpoint ?? ModelResolver.Open(settings.BaseModel, log);
        var actual = WeightsFingerprint.Compute(ckpt.Weights);
        if (actual != settings.BaseFingerprint)
            throw new PsimException(
                $"the detector in {dir} was trained on other weights ({settings.BaseModel}) than {ckpt.Directory}: "
                    + "PSIM must run on the same suspicious checkpoint the model to guard came from. "
                    + "Give that checkpoint with --model (or, for a fully fine-tuned model, pass --detector-base with the original checkpoint)."
            );
        var model = PeftAdapterFolder.Load(dir, ckpt, log);
        int headClasses = PeftClassifier.Inner(model).Config.NumLabels;
        if (headClasses != settings.NumClasses)
        {
            model.Dispose();
            throw new PsimFormatException(
                $"{Path.Combine(dir, SettingsFile)}: num_classes {settings.NumClasses} disagrees with the detector's head, which has {headClasses} classes"
            );
        }
        return new PsimDetector(dir, settings, model, ckpt.CreateTextEncoder(settings.MaxLength));
    }

    /// <summary>Confidence c(x) = max softmax probability for each text, batched (length-sorted).</summary>
    public double[] Score(
        IReadOnlyList<string> texts,
        int batchSize = Defaults.EvalBatchSize,
        string? progressLabel = null,
        CancellationToken ct = default
    ) =>
        Predictor
            .Probabilities(Model, Encoder, texts.Select(Encoder.Encode).ToList(), batchSize, progressLabel, ct)
            .Select(p => (double)p.Max())
            .ToArray();

    public bool Flags(double confidence) => confidence > Threshold;

    public void Dispose() => Model.Dispose();

    internal static PsimDetector Create(string dir, DetectorSettings s, PeftClassifier model, TextEncoder encoder) =>
        new(dir, s, model, encoder);
}
