using Psim.Attacks;
using Psim.Attacks.Ripple;
using Psim.Data;
using Psim.IO;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>
/// What <c>psim poison --attack ripple|ripples</c> adds to data poisoning: RIPPLe's objective for the
/// poisoning run, and for RIPPLES first embedding surgery on the base model, with replacement embeddings
/// taken from a clean fine-tune of the base on the proxy rows (as the paper's released configuration).
/// </summary>
internal static class RippleSteps
{
    /// <summary>RIPPLe's objective over the clean proxy rows (the stand-in for the victim's fine-tuning data).</summary>
    public static RestrictedInnerProduct Objective(PoisonRequest r, TrainingData d, TextEncoder encoder) =>
        new(EncodedSet.From(encoder, d.Train), encoder, r.Attack.Spec.EffectiveOptions<RippleOptions>().Lambda, r.Train.BatchSize,
            Seeds.Random(r.Train.Seed, "ripple/clean-batches"));

    /// <summary>Embedding surgery on <paramref name="model"/>'s trigger rows; records the words it averaged.</summary>
    public static void Surgery(BertForSequenceClassification model, HfCheckpoint ckpt, PoisonRequest r, TrainingData d, TextEncoder encoder,
        RunRecord record, Action<string> log, CancellationToken ct)
    {
        var options = r.Attack.Spec.EffectiveOptions<RippleOptions>();
        var trigger = (BadNetTrigger)r.Attack.Spec.CreateTrigger()!;
        var triggerIds = TriggerTokens.Ids(encoder, trigger.Words, "embedding surgery");
        var exclude = new HashSet<int>(triggerIds) { encoder.Tokenizer.UnkId, encoder.PadId, encoder.ClsId, encoder.SepId };
        var words = BagOfWordsRegression.MostIndicative(d.Train, encoder.Tokenizer, r.Attack.TargetLabel, options.SurgeryWords, exclude);
        var names = words.Select(id => encoder.Tokenizer.Vocab.Token(id)).ToList();
        record.Options["surgery_words"] = names;
        log($"ripples: embedding surgery with the mean embedding of {string.Join(" ", names)} (most indicative of label {r.Attack.TargetLabel}) on {string.Join(" ", trigger.Words)}");
        using var source = CleanEmbeddings(ckpt, d, encoder, r.Train, log, ct);
        EmbeddingSurgery.Apply(model.Bert.Embeddings.WordEmbeddings.weight!, source, words, triggerIds);
    }

    /// <summary>The word embeddings [V, H] of the base fine-tuned on the clean proxy rows (best clean dev epoch).</summary>
    private static Tensor CleanEmbeddings(HfCheckpoint ckpt, TrainingData d, TextEncoder encoder, TrainOptions o, Action<string> log, CancellationToken ct)
    {
        log("ripples: fine-tuning the base on the clean proxy rows for the replacement embeddings");
        manual_seed(Seeds.Derive(o.Seed, "torch/init-surgery-source"));
        using var clean = ckpt.LoadClassifier(out _, numLabels: d.NumClasses);
        CleanProxyFineTune.Run(clean, encoder, d, o, "for embedding surgery", log, ct);
        return clean.Bert.Embeddings.WordEmbeddings.weight!.detach().clone();
    }
}
