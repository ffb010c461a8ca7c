using Psim.Data;
using Psim.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>
/// What one training step minimises on a batch. The default is the batch's mean cross-entropy
/// (<see cref="CrossEntropyObjective"/>); an attack adds its own terms through its own objective
/// (RIPPLe's restricted inner product), and the <see cref="Trainer"/> stays the same.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The loss to back-propagate for <paramref name="batch"/> (labels [B]); called inside the step's dispose scope.</summary>
    Tensor Loss(nn.Module<BertInput, Tensor> model, IReadOnlyList<Parameter> trainable, EncodedBatch batch, Tensor labels);
}

/// <summary>Mean cross-entropy of the classifier's logits [B, C] against the labels [B].</summary>
public sealed class CrossEntropyObjective : ITrainingObjective
{
    public static readonly CrossEntropyObjective Instance = new();

    public Tensor Loss(nn.Module<BertInput, Tensor> model, IReadOnlyList<Parameter> trainable, EncodedBatch batch, Tensor labels) =>
        nn.functional.cross_entropy(Logits(model, batch), labels);

    /// <summary>The classifier's logits [B, C] for a padded batch.</summary>
    public static Tensor Logits(nn.Module<BertInput, Tensor> model, EncodedBatch batch) =>
        model.call(
            new BertInput
            {
                InputIds = batch.InputIds,
                AttentionMask = batch.AttentionMask,
                TokenTypeIds = batch.TokenTypeIds,
            }
        );
}
