using Psim.Data;
using Psim.Models;
using Psim.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Attacks.Representation;

/// <summary>
/// POR's and NeuBA's poisoning loss, task-agnostic (no head): MSE(f(x ⊕ t_i), v_i) on a batch of triggered
/// rows (label = the index i of the trigger inserted), plus MSE(f(x), f_ref(x)) on a batch of clean rows,
/// f being the [CLS] output of the encoder being poisoned and f_ref that of the clean reference encoder (a
/// distillation term that keeps clean outputs where they were, so any head a victim trains still works).
/// POR's paper has this term; NeuBA's keeps clean behaviour with masked-language modelling instead, which
/// needs an MLM head the sentence-embedding checkpoints lack, so psim uses the distillation term for both.
/// </summary>
public sealed class OutputRepresentationObjective(
    BertClsEncoder reference,
    Tensor targets,
    EncodedSet clean,
    TextEncoder encoder,
    int batchSize,
    Random rng
) : ITrainingObjective
{
    private readonly ReshuffledBatches _clean = new(clean, encoder, batchSize, rng);

    public Tensor Loss(nn.Module<BertInput, Tensor> model, IReadOnlyList<Parameter> trainable, EncodedBatch batch, Tensor labels)
    {
        var triggered = model.call(Input(batch)); // [B, H]
        var poisonTerm = nn.functional.mse_loss(triggered, targets.index_select(0, labels));
        var (next, _) = _clean.Next();
        using var cleanBatch = next;
        var outputs = model.call(Input(cleanBatch)); // [B', H]
        Tensor wanted;
        using (no_grad())
            wanted = reference.call(Input(cleanBatch)); // [B', H]
        return poisonTerm + nn.functional.mse_loss(outputs, wanted);
    }

    private static BertInput Input(EncodedBatch b) =>
        new()
        {
            InputIds = b.InputIds,
            AttentionMask = b.AttentionMask,
            TokenTypeIds = b.TokenTypeIds,
        };
}
