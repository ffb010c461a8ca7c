using Psim.Data;
using Psim.Defense.Psim;
using Psim.Models;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>What <c>psim predict</c> and <c>psim serve</c> need: the victim (a classifier, or a base with an adapter) and the PSIM detector guarding it.</summary>
public sealed record GuardedPredictionRequest
{
    public required VictimInput Victim { get; init; }
    public required DetectorInput Detector { get; init; }
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
    /// <summary>PSIM's threshold τ: an input whose confidence exceeds it is rejected.</summary>
    public double Threshold { get; init; }
}

/// <summary>A victim behind its PSIM detector, ready to classify batches of texts (what a service holds).</summary>
public interface IGuard : IDisposable
{
    /// <summary>One outcome per text, in order. Called from one thread at a time.</summary>
    IReadOnlyList<GuardedPrediction> Classify(IReadOnlyList<string> texts, CancellationToken ct = default);

    /// <summary>The flag rate the detector's threshold promises on clean in-domain inputs (<see cref="Defense.Detection.FlagRate.Expected"/>); null when it was not calibrated.</summary>
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

    private LoadedGuard(nn.Module<BertInput, Tensor> victim, PsimDetector detector, TextEncoder encoder) =>
        (_victim, _detector, _encoder) = (victim, detector, encoder);

    public double? ExpectedFlagRate => Defense.Detection.FlagRate.Expected(_detector.Settings.Threshold);

    public static LoadedGuard Load(GuardedPredictionRequest r, Action<string> log)
    {
        var victim = r.Victim.Load(log, out var ckpt);
        try
        {
            return new LoadedGuard(victim, r.Detector.Load(r.Victim, ckpt, log), ckpt.CreateTextEncoder(r.Victim.MaxLength));
        }
        catch
        {
            victim.Dispose();
            throw;
        }
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
        var byIndex = accepted.Select((i, k) => (i, k)).ToDictionary(t => t.i, t => probs[t.k]);
        return texts
            .Select(
                (text, i) =>
                    (
                        byIndex.TryGetValue(i, out var p)
                            ? new GuardedPrediction(text, Predictor.ArgMax(p), p, scores[i], false)
                            : new GuardedPrediction(text, null, null, scores[i], true)
                    ) with
                    {
                        Threshold = _detector.Threshold,
                    }
            )
            .ToList();
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
