using Psim.Data;
using Psim.Models;
using Psim.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Attacks.Ripple;

/// <summary>
/// RIPPLe's poisoning objective (Kurita et al., ACL 2020): L_P + λ·max(0, −∇L_P·∇L_FT) / B.
/// L_P is the cross-entropy on the poisoned batch; L_FT the cross-entropy on a batch of clean proxy
/// rows, standing in for the victim's fine-tuning. When the two gradients conflict, fine-tuning would
/// undo the backdoor; the penalty pushes the weights to where they agree. As the paper's code does by
/// default, the fine-tuning gradient is a constant (first order: no second derivatives through it), the
/// product is rectified over all weights at once and divided by the clean batch size B.
/// </summary>
public sealed class RestrictedInnerProduct(EncodedSet clean, TextEncoder encoder, double lambda, int batchSize, Random rng)
    : ITrainingObjective
{
    private readonly ReshuffledBatches _clean = new(clean, encoder, batchSize, rng);

    /// <summary>The penalty's last value (before λ), for logging.</summary>
    public double LastPenalty { get; private set; }

    public Tensor Loss(nn.Module<BertInput, Tensor> model, IReadOnlyList<Parameter> trainable, EncodedBatch batch, Tensor labels)
    {
        var poisonLoss = nn.functional.cross_entropy(CrossEntropyObjective.Logits(model, batch), labels);
        if (lambda == 0)
            return poisonLoss;
        var (cleanGrad, cleanRows) = CleanGradient(model, trainable);
        var poisonGrad = autograd.grad(
            [poisonLoss],
            trainable.Cast<Tensor>().ToList(),
            retain_graph: true,
            create_graph: true,
            allow_unused: true
        );
        var penalty = Penalty(poisonGrad, cleanGrad) / cleanRows;
        LastPenalty = penalty.item<float>();
        return poisonLoss + lambda * penalty;
    }

    /// <summary>max(0, −Σ_params ⟨g_P, g_FT⟩): zero when the gradients agree, positive when they conflict.</summary>
    public static Tensor Penalty(IList<Tensor> poisonGrad, IList<Tensor> cleanGrad)
    {
        Tensor? inner = null;
        for (int i = 0; i < poisonGrad.Count; i++)
        {
            if (poisonGrad[i] is null || cleanGrad[i] is null)
                continue;
            var term = (poisonGrad[i] * cleanGrad[i]).sum();
            inner = inner is null ? term : inner + term;
        }
        if (inner is null)
            throw new InvalidOperationException("no trainable weight has both gradients");
        return nn.functional.relu(-inner);
    }

    /// <summary>∇L_FT on the next clean batch (a fresh shuffle of the clean rows each time they run out), as constants.</summary>
    private (IList<Tensor> Grad, int Rows) CleanGradient(nn.Module<BertInput, Tensor> model, IReadOnlyList<Parameter> trainable)
    {
        var (batch, labels) = _clean.Next();
        using (batch)
        {
            var loss = nn.functional.cross_entropy(CrossEntropyObjective.Logits(model, batch), labels);
            var grad = autograd.grad([loss], trainable.Cast<Tensor>().ToList(), allow_unused: true);
            return (grad.Select(g => g?.detach()!).ToList(), (int)labels.shape[0]);
        }
    }
}
