using Psim.Training;

namespace Psim.Workflows;

/// <summary>What <c>psim predict</c> needs: the victim (a classifier, or a base with an adapter) and the PSIM detector guarding it.</summary>
public sealed record GuardedPredictionRequest
{
    public required VictimInput Victim { get; init; }
    public required DetectorInput Detector { get; init; }
}

/// <summary>One input's outcome: rejected by PSIM (no label), or the victim's label and class probabilities.</summary>
public sealed record GuardedPrediction(string Text, int? Label, IReadOnlyList<float>? Probabilities, double DetectorConfidence, bool Rejected);

/// <summary>
/// The product's inference path: PSIM scores every input first; inputs it flags are rejected and
/// never reach the victim; the others are classified.
/// </summary>
public static class GuardedPredictionWorkflow
{
    public static IReadOnlyList<GuardedPrediction> Run(GuardedPredictionRequest r, IReadOnlyList<string> texts, Action<string> log, CancellationToken ct = default)
    {
        if (texts.Count == 0) throw new PsimException("no input texts (give them as arguments, with --input FILE, or on stdin)");
        using var victim = r.Victim.Load(log, out var ckpt);
        using var detector = r.Detector.Load(r.Victim, ckpt, log);
        var encoder = ckpt.CreateTextEncoder(r.Victim.MaxLength);
        var scores = detector.Score(texts, ct: ct);
        var accepted = Enumerable.Range(0, texts.Count).Where(i => !detector.Flags(scores[i])).ToList();
        var probs = Predictor.Probabilities(victim, encoder, accepted.Select(i => encoder.Encode(texts[i])).ToList(), Defaults.EvalBatchSize, null, ct);
        var byIndex = accepted.Select((i, k) => (i, k)).ToDictionary(t => t.i, t => probs[t.k]);
        return texts.Select((text, i) => byIndex.TryGetValue(i, out var p)
            ? new GuardedPrediction(text, Predictor.ArgMax(p), p, scores[i], false)
            : new GuardedPrediction(text, null, null, scores[i], true)).ToList();
    }
}
