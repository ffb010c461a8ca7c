using Psim.Data;
using Psim.Defense.Detection;
using Psim.Defense.Guard;
using Psim.Defense.Psim;
using Psim.Models;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>What <c>psim predict</c> and <c>psim serve</c> need: the victim (a classifier, or a base with an adapter), the PSIM detector guarding it, and, for the fused guard instead of PSIM alone, what calibrates it.</summary>
public sealed record GuardedPredictionRequest
{
    public required VictimInput Victim { get; init; }
    public required DetectorInput Detector { get; init; }

    /// <summary>The fused guard (PSIM, DAN and the audit's tokens), fitted on clean dev at load; null: PSIM alone.</summary>
    public GuardInput? Guard { get; init; }
}

/// <summary>One input's outcome: rejected by PSIM (no label), or the victim's label and class probabilities; with PSIM's confidence and the threshold it was compared to.</summary>
public sealed record GuardedPrediction(
    string Text,
    int? Label,
    IReadOnlyList<float>? Probabilities,
    double DetectorConfidence,
    bool Rejected
)
{
    /// <summary>The threshold an input's score is compared to: PSIM's τ (confidence), or the fused guard's (<see cref="GuardScore"/>).</summary>
    public double Threshold { get; init; }

    /// <summary>The fused guard's suspicion (−ln of its parts' smallest clean p-value); null when PSIM guards alone.</summary>
    public double? GuardScore { get; init; }
}

/// <summary>A victim behind its PSIM detector, ready to classify batches of texts (what a service holds).</summary>
public interface IGuard : IDisposable
{
    /// <summary>One outcome per text, in order. Called from one thread at a time.</summary>
    IReadOnlyList<GuardedPrediction> Classify(IReadOnlyList<string> texts, CancellationToken ct = default);

    /// <summary>The flag rate the detector's threshold promises on clean in-domain inputs (<see cref="Defense.Detection.FlagRate.Expected(Defense.Psim.ThresholdChoice)"/>); null when it was not calibrated.</summary>
    double? ExpectedFlagRate { get; }
}

/// <summary>
/// The product's inference path, loaded once: PSIM scores every input first; inputs it flags are
/// rejected and never reach the victim; the others are classified.
/// </summary>
public sealed class LoadedGuard : IGuard
{
    private readonly nn.Module<BertInput, Tensor> _victim;
    private readonly PsimDetector _detector;
    private readonly TextEncoder _encoder;
    private readonly Fused? _fused;

    /// <summary>The fused guard fitted at load, and its threshold on the held-out clean rows' fused scores.</summary>
    private sealed record Fused(GuardDetector Detector, double Threshold, double ExpectedFlagRate);

    private LoadedGuard(nn.Module<BertInput, Tensor> victim, PsimDetector detector, TextEncoder encoder, Fused? fused) =>
        (_victim, _detector, _encoder, _fused) = (victim, detector, encoder, fused);

    public double? ExpectedFlagRate => _fused?.ExpectedFlagRate ?? Defense.Detection.FlagRate.Expected(_detector.Settings.Threshold);

    public static LoadedGuard Load(GuardedPredictionRequest r, Action<string> log)
    {
        var victim = r.Victim.Load(log, out var ckpt);
        PsimDetector? detector = null;
        try
        {
            detector = r.Detector.Load(r.Victim, ckpt, log);
            var encoder = ckpt.CreateTextEncoder(r.Victim.MaxLength);
            var fused = r.Guard is { } g ? Fit(g, r.Victim, victim, encoder, detector, log) : null;
            return new LoadedGuard(victim, detector, encoder, fused);
        }
        catch
        {
            detector?.Dispose();
            victim.Dispose();
            throw;
        }
    }

    /// <summary>The fused guard on this victim and detector, calibrated on the task's clean dev rows at the target FRR.</summary>
    private static Fused Fit(
        GuardInput g,
        VictimInput v,
        nn.Module<BertInput, Tensor> victim,
        TextEncoder encoder,
        PsimDetector detector,
        Action<string> log
    )
    {
        if (!(g.TargetFrr >= 0 && g.TargetFrr < 1))
            throw new PsimException($"guard target FRR {g.TargetFrr} must be in [0, 1)");
        var dev = g.Task.Open().Load("dev");
        var suspects = g.Reference is null ? null : SuspectTokenAudit.Of(v.Model, g.Reference, log);
        // the guard reads no protected label (only RAP does)
        var guard = new GuardDetector(new VictimUnderTest(victim, encoder, 0), detector, dev, g.Guard, g.Dan, suspects, g.Seed, default);
        double tau = DetectionProtocol.Threshold(guard.CalibrationScores, g.TargetFrr);
        log($"guard: {guard.Setting}; threshold {tau:G4} at {g.TargetFrr:P1} FRR on clean dev");
        return new Fused(guard, tau, Defense.Detection.FlagRate.Expected(guard.CalibrationFrr(tau), guard.HeldOut));
    }

    /// <summary>
    /// The fixed cost of one pass of both models in padded tokens, against which <see cref="PaddingGroups"/> weighs
    /// the padding a cut saves. Estimated on MiniLM, 2 threads: a one-text request costs ~19 ms of which ~4 ms is
    /// its tokens (docs/benchmarks.md, "psim serve under load").
    /// </summary>
    public const double PassCostTokens = 100;

    /// <summary>The texts in groups of similar length (a served batch mixes lengths), each classified in one pass of each model.</summary>
    public IReadOnlyList<GuardedPrediction> Classify(IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        var answers = new GuardedPrediction[texts.Count];
        foreach (
            var group in PaddingGroups.Of(texts.Select(t => _encoder.Encode(t).Length).ToList(), PassCostTokens, Defaults.EvalBatchSize)
        )
        {
            var outcomes = ClassifyGroup(group.Select(i => texts[i]).ToList(), ct);
            for (int k = 0; k < group.Length; k++)
                answers[group[k]] = outcomes[k];
        }
        return answers;
    }

    private IReadOnlyList<GuardedPrediction> ClassifyGroup(IReadOnlyList<string> texts, CancellationToken ct)
    {
        var d = _fused is { } f ? ByGuard(f, texts, ct) : ByPsim(texts, ct);
        return texts
            .Select(
                (text, i) =>
                    (
                        d.Probabilities[i] is { } p
                            ? new GuardedPrediction(text, Predictor.ArgMax(p), p, d.Confidence[i], false)
                            : new GuardedPrediction(text, null, null, d.Confidence[i], true)
                    ) with
                    {
                        Threshold = _fused?.Threshold ?? _detector.Threshold,
                        GuardScore = d.GuardScores?[i],
                    }
            )
            .ToList();
    }

    /// <summary>One group's decision: PSIM's confidence, the victim's probabilities of the accepted texts (null: rejected), and the guard's scores (null: PSIM alone).</summary>
    private sealed record Decision(double[] Confidence, float[]?[] Probabilities, double[]? GuardScores);

    /// <summary>PSIM alone: the texts it does not flag pass the victim.</summary>
    private Decision ByPsim(IReadOnlyList<string> texts, CancellationToken ct)
    {
        var scores = _detector.Score(texts, ct: ct);
        var accepted = Enumerable.Range(0, texts.Count).Where(i => !_detector.Flags(scores[i])).ToList();
        var probs = Predictor.Probabilities(
            _victim,
            _encoder,
            accepted.Select(i => _encoder.Encode(texts[i])).ToList(),
            Defaults.EvalBatchSize,
            null,
            ct
        );
        var byText = new float[]?[texts.Count];
        for (int k = 0; k < accepted.Count; k++)
            byText[accepted[k]] = probs[k];
        return new Decision(scores, byText, null);
    }

    /// <summary>The fused guard: the victim's probabilities come from the pass DAN's features are read from (one victim pass per text).</summary>
    private static Decision ByGuard(Fused f, IReadOnlyList<string> texts, CancellationToken ct)
    {
        var g = f.Detector.Scored(texts, null, ct);
        return new Decision(g.Psim, g.Probabilities.Select((p, i) => g.Fused[i] > f.Threshold ? null : p).ToArray(), g.Fused);
    }

    public void Dispose()
    {
        _detector.Dispose();
        _victim.Dispose();
    }
}

/// <summary><c>psim predict</c>: texts classified behind PSIM, once.</summary>
public static class GuardedPredictionWorkflow
{
    public static IReadOnlyList<GuardedPrediction> Run(
        GuardedPredictionRequest r,
        IReadOnlyList<string> texts,
        Action<string> log,
        CancellationToken ct = default
    )
    {
        if (texts.Count == 0)
            throw new PsimException("no input texts (give them as arguments, with --input FILE, or on stdin)");
        using var guard = LoadedGuard.Load(r, log);
        return guard.Classify(texts, ct);
    }
}
