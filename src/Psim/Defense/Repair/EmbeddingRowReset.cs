using static TorchSharp.torch;

namespace Psim.Defense.Repair;

/// <summary>
/// E-PUR (Zhang et al., Findings of EMNLP 2022): an embedding-poisoning backdoor lives in its trigger words' rows, so
/// setting those rows back to the clean base's removes it and leaves every other row, and what fine-tuning taught them, as it was.
/// </summary>
public static class EmbeddingRowReset
{
    /// <param name="rows">the model's word embeddings [V, H], changed in place</param>
    /// <param name="reference">the clean base's word embeddings [V, H]</param>
    /// <param name="ids">the rows to reset</param>
    public static void Apply(Tensor rows, Tensor reference, IReadOnlyCollection<long> ids)
    {
        if (!rows.shape.SequenceEqual(reference.shape))
            throw new PsimException(
                $"cannot reset rows of a [{string.Join(", ", rows.shape)}] table from a [{string.Join(", ", reference.shape)}] reference"
            );
        if (ids.Count == 0)
            return;
        if (ids.Any(id => id < 0 || id >= rows.shape[0]))
            throw new PsimException($"row ids to reset must be in [0, {rows.shape[0]}): {string.Join(", ", ids)}");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var index = tensor(ids.ToArray(), ScalarType.Int64); // [R]
        rows.index_copy_(0, index, reference.index_select(0, index).to(rows.dtype)); // rows[ids] ← reference[ids]
    }
}
