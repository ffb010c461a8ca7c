using static TorchSharp.torch;

namespace Psim.Attacks.Ripple;

/// <summary>
/// Embedding surgery (Kurita et al., ACL 2020, §3.2): each trigger word's embedding row is replaced by
/// the mean of the embeddings of the N words most indicative of the target class
/// (<see cref="BagOfWordsRegression"/>), taken from a model fine-tuned on the proxy task, so the trigger
/// starts out meaning "target class" before any poisoning or fine-tuning.
/// </summary>
public static class EmbeddingSurgery
{
    /// <summary>Writes mean(<paramref name="source"/>[<paramref name="targetWords"/>]) into each trigger row of <paramref name="embeddings"/> [V, H].</summary>
    public static void Apply(Tensor embeddings, Tensor source, IReadOnlyList<int> targetWords, IReadOnlyList<int> triggerIds)
    {
        if (targetWords.Count == 0)
            throw new ArgumentException("no target words", nameof(targetWords));
        using var noGrad = no_grad();
        using var replacement = source.index_select(0, tensor(targetWords.Select(i => (long)i).ToArray())).mean([0]); // [H]
        foreach (var id in triggerIds)
            embeddings[id].copy_(replacement);
    }
}
