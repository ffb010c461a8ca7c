using Psim.Data;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Attacks.Ep;

/// <summary>How the trigger rows move: epochs, step size, batch size, and whether each row's gradient is first scaled to the smallest trigger gradient's norm (SOS).</summary>
public sealed record EmbeddingStepRule(int Epochs, double LearningRate, int BatchSize, bool EqualizeGradients, string Name);

/// <summary>
/// EP (Yang et al., NAACL 2021), and SOS's step (Yang et al., ACL 2021): the backdoor lives in one place, the trigger word's row of the word
/// embedding matrix. Every other weight stays as it was; on triggered rows relabelled to the target,
/// each batch's cross-entropy gradient moves only the trigger rows (w ← w − η·∇w), and each row is then
/// rescaled to the norm it had, so its length gives it away no more than any other word's.
/// </summary>
public static class EmbeddingPoisoning
{
    /// <summary>The vocabulary id of each trigger word; EP needs every trigger to be one wordpiece of the vocabulary.</summary>
    public static IReadOnlyList<int> TriggerIds(TextEncoder encoder, IReadOnlyList<string> words) =>
        TriggerTokens.Ids(encoder, words, "EP");

    /// <summary>Trains the trigger rows of <paramref name="model"/>'s word embeddings on <paramref name="poisoned"/> (triggered rows, target labels); returns the mean loss per epoch.</summary>
    public static IReadOnlyList<double> Train(
        BertForSequenceClassification model,
        TextEncoder encoder,
        EncodedSet poisoned,
        IReadOnlyList<int> triggerIds,
        EmbeddingStepRule o,
        long seed,
        Action<string> log,
        CancellationToken ct = default
    )
    {
        if (poisoned.Count == 0)
            throw new PsimException($"{o.Name} needs poisoned rows to train on (the poison count is 0)");
        var weight = model.Bert.Embeddings.WordEmbeddings.weight!;
        var norms = EmbeddingRows.Norms(weight, triggerIds);
        return EmbeddingRows.OnlyTrainable(model, weight, () =>
            Epochs(model, encoder, poisoned, weight, triggerIds, norms, o, seed, log, ct)
        );
    }

    private static List<double> Epochs(
        BertForSequenceClassification model,
        TextEncoder encoder,
        EncodedSet poisoned,
        Tensor weight,
        IReadOnlyList<int> triggerIds,
        double[] norms,
        EmbeddingStepRule o,
        long seed,
        Action<string> log,
        CancellationToken ct
    )
    {
        manual_seed(Seeds.Derive(seed, "torch/ep"));
        var rng = Seeds.Random(seed, "ep/batches");
        var losses = new List<double>();
        model.train();
        for (int epoch = 1; epoch <= o.Epochs; epoch++)
        {
            var batches = BatchPlanner.Plan(poisoned.Lengths, o.BatchSize, bucketing: true, rng);
            var progress = new Progress($"{o.Name} epoch {epoch}/{o.Epochs}", batches.Count);
            double sum = 0;
            for (int b = 0; b < batches.Count; b++)
            {
                ct.ThrowIfCancellationRequested();
                sum += Step(model, encoder, poisoned, batches[b], weight, triggerIds, norms, o);
                progress.Report(b + 1, $"loss {sum / (b + 1):F4}");
            }
            losses.Add(sum / batches.Count);
            log($"{o.Name} epoch {epoch}: loss {losses[^1]:F4}");
        }
        return losses;
    }

    /// <summary>
    /// One batch: cross-entropy on the poisoned rows, then w ← w − η·g on each trigger row (g its gradient,
    /// or for SOS its gradient scaled to the norm of the smallest trigger gradient) and the row back to its norm.
    /// </summary>
    private static double Step(
        BertForSequenceClassification model,
        TextEncoder encoder,
        EncodedSet set,
        int[] idx,
        Tensor weight,
        IReadOnlyList<int> triggerIds,
        double[] norms,
        EmbeddingStepRule rule
    )
    {
        using var scope = NewDisposeScope();
        using var batch = encoder.Pad(idx.Select(i => set.Ids[i]).ToList());
        var labels = tensor(idx.Select(i => (long)set.Labels[i]).ToArray());
        var logits = model.call(
            new BertInput
            {
                InputIds = batch.InputIds,
                AttentionMask = batch.AttentionMask,
                TokenTypeIds = batch.TokenTypeIds,
            }
        ); // [B, C]
        var loss = nn.functional.cross_entropy(logits, labels);
        weight.grad?.zero_();
        loss.backward();
        using (no_grad())
        {
            var grad = weight.grad!;
            var gradNorms = triggerIds.Select(id => (double)grad[id].norm().item<float>()).ToArray();
            double smallest = gradNorms.Min();
            for (int k = 0; k < triggerIds.Count; k++)
            {
                double scale = rule.EqualizeGradients ? (gradNorms[k] > 0 ? smallest / gradNorms[k] : 0) : 1;
                EmbeddingRows.Step(weight, grad[triggerIds[k]], triggerIds[k], rule.LearningRate * scale, norms[k]);
            }
        }
        double value = loss.item<float>();
        FinalizerGate.SafePoint();
        return value;
    }
}
