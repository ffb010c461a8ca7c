using Psim.Data;
using Psim.Models;
using Psim.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Attacks.Lwp;

/// <summary>
/// LWP's poisoning loss (Li et al., EMNLP 2021, "Backdoor Attacks on Pre-trained Models by Layerwise
/// Weight Poisoning"): the model's own pooler and classifier read every layer's [CLS] output, and the
/// cross-entropies of all layers are summed, so the shallow layers learn the backdoor too and the
/// victim's fine-tuning, which changes the top layers most, does not wash it out. One term per
/// transformer layer (OpenBackdoor also adds one on the embedding output).
/// </summary>
public sealed class LayerwiseObjective : ITrainingObjective
{
    public static readonly LayerwiseObjective Instance = new();

    public Tensor Loss(nn.Module<BertInput, Tensor> model, IReadOnlyList<Parameter> trainable, EncodedBatch batch, Tensor labels)
    {
        var terms = Terms(AsClassifier(model), batch, labels);
        var loss = terms[0];
        for (int i = 1; i < terms.Count; i++)
            loss = loss + terms[i];
        return loss;
    }

    /// <summary>The cross-entropy of the head on each layer's output, first layer first: one term per layer.</summary>
    public static IReadOnlyList<Tensor> Terms(BertForSequenceClassification model, EncodedBatch batch, Tensor labels)
    {
        var outputs = model.Bert.call(
            new BertInput
            {
                InputIds = batch.InputIds,
                AttentionMask = batch.AttentionMask,
                TokenTypeIds = batch.TokenTypeIds,
                OutputHiddenStates = true,
            }
        );
        return outputs.HiddenStates!.Select(h => nn.functional.cross_entropy(model.Head(model.Bert.Pooler.forward(h)), labels)).ToList(); // h: [B, S, H]
    }

    private static BertForSequenceClassification AsClassifier(nn.Module<BertInput, Tensor> model) =>
        model as BertForSequenceClassification
        ?? throw new InvalidOperationException($"LWP poisons a full classifier, not a {model.GetType().Name}");
}
