using Psim.Data;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Attacks.Ripple;

/// <summary>
/// What RIPPLe and RIPPLES add to poisoned fine-tuning: RIPPLe's objective for the poisoning run, and for RIPPLES first
/// embedding surgery on the base model, with replacement embeddings taken from a clean fine-tune of the base on the
/// proxy rows (as the paper's released configuration).
/// </summary>
internal static class RippleObjective
{
    /// <summary>The procedure's objective hook: surgery first if asked, then the restricted inner product, which differentiates the poisoned gradient.</summary>
    public static Func<AttackContext, BertForSequenceClassification, ITrainingObjective?> After(bool surgery) =>
        (c, model) =>
        {
            if (surgery)
                Surgery(model, c);
            model.Bert.SetTwiceDifferentiable(true); // the objective differentiates the poisoned gradient
            return Objective(c);
        };

    /// <summary>RIPPLe's objective over the clean proxy rows (the stand-in for the victim's fine-tuning data).</summary>
    private static RestrictedInnerProduct Objective(AttackContext c) =>
        new(
            EncodedSet.From(c.Encoder, c.Proxy.Train),
            c.Encoder,
            c.Spec.EffectiveOptions<RippleOptions>().Lambda,
            c.Train.BatchSize,
            Seeds.Random(c.Seed, "ripple/clean-batches")
        );

    /// <summary>Embedding surgery on <paramref name="model"/>'s trigger rows; records the words it averaged.</summary>
    private static void Surgery(BertForSequenceClassification model, AttackContext c)
    {
        var encoder = c.Encoder;
        var options = c.Spec.EffectiveOptions<RippleOptions>();
        var trigger = (BadNetTrigger)c.Spec.CreateTrigger()!;
        var triggerIds = TriggerTokens.Ids(encoder, trigger.Words, "embedding surgery");
        var exclude = new HashSet<int>(triggerIds) { encoder.Tokenizer.UnkId, encoder.PadId, encoder.ClsId, encoder.SepId };
        var words = BagOfWordsRegression.MostIndicative(c.Proxy.Train, encoder.Tokenizer, c.TargetLabel, options.SurgeryWords, exclude);
        var names = words.Select(id => encoder.Tokenizer.Vocab.Token(id)).ToList();
        c.Notes.Note("surgery_words", names);
        c.Log(
            $"ripples: embedding surgery with the mean embedding of {string.Join(" ", names)} (most indicative of label {c.TargetLabel}) on {string.Join(" ", trigger.Words)}"
        );
        using var source = CleanEmbeddings(c);
        EmbeddingSurgery.Apply(model.Bert.Embeddings.WordEmbeddings.weight!, source, words, triggerIds);
    }

    /// <summary>The word embeddings [V, H] of the base fine-tuned on the clean proxy rows (best clean dev epoch).</summary>
    private static Tensor CleanEmbeddings(AttackContext c)
    {
        c.Log("ripples: fine-tuning the base on the clean proxy rows for the replacement embeddings");
        manual_seed(Seeds.Derive(c.Seed, "torch/init-surgery-source"));
        using var clean = c.Checkpoint.LoadClassifier(out _, numLabels: c.Proxy.NumClasses);
        CleanProxyFineTune.Run(clean, c, "for embedding surgery");
        return clean.Bert.Embeddings.WordEmbeddings.weight!.detach().clone();
    }
}
