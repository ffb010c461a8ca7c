using Psim.Data;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>
/// An endless stream of batches of one set, reshuffled each time it runs out: the clean batches an
/// attack's objective draws beside the trainer's own (RIPPLe's fine-tuning gradient, POR's distillation term).
/// </summary>
public sealed class ReshuffledBatches(EncodedSet set, TextEncoder encoder, int batchSize, Random rng)
{
    private readonly Queue<int> _order = new();

    /// <summary>The next batch, padded, and its labels [B] (created in the caller's dispose scope).</summary>
    public (EncodedBatch Batch, Tensor Labels) Next()
    {
        if (_order.Count < batchSize)
            foreach (var i in Enumerable.Range(0, set.Count).OrderBy(_ => rng.Next()))
                _order.Enqueue(i);
        var idx = Enumerable.Range(0, Math.Min(batchSize, _order.Count)).Select(_ => _order.Dequeue()).ToArray();
        return (encoder.Pad(idx.Select(i => set.Ids[i]).ToList()), tensor(idx.Select(i => (long)set.Labels[i]).ToArray()));
    }
}
