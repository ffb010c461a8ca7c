using Psim.Models;
using Psim.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Defense.Repair;

/// <summary>How many weight entries the mixing reset to the clean base, of how many it could (the encoder's; a head the base lacks is kept).</summary>
public sealed record WeightMix(double Share, long Reset, long Entries, int Tensors);

/// <summary>
/// Fine-mixing's mixing step (Zhang et al., Findings of EMNLP 2022): a backdoor trained into the whole encoder (BadNet
/// by full fine-tuning, LWP) has no row to reset, so a random share of every encoder weight's entries is set back to
/// the clean base's, θ ← m ⊙ θ_base + (1 − m) ⊙ θ, m ~ Bernoulli(share) per entry; the victim's own fine-tuning then
/// restores the task. The classification head, which the base does not have, is kept.
/// </summary>
public static class WeightMixing
{
    /// <param name="model">the suspect encoder, changed in place</param>
    /// <param name="reference">the clean base's encoder (the same architecture)</param>
    public static WeightMix Apply(BertModel model, BertModel reference, double share, long seed)
    {
        var clean = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var gen = new Generator((ulong)Seeds.Derive(seed, "repair/mixing"));
        long reset = 0,
            entries = 0;
        int tensors = 0;
        using var _ = no_grad();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!clean.TryGetValue(name, out var c) || !c.shape.SequenceEqual(p.shape))
                throw new PsimException(
                    $"repair: the reference has no weight {name} of shape [{string.Join(", ", p.shape)}]: not the same base"
                );
            using var scope = NewDisposeScope();
            var mask = rand(p.shape, generator: gen) < share; // [same shape as p]: true = back to the base
            p.copy_(where(mask, c.to(p.dtype), p));
            reset += mask.sum().item<long>();
            entries += p.numel();
            tensors++;
        }
        return new WeightMix(share, reset, entries, tensors);
    }
}
