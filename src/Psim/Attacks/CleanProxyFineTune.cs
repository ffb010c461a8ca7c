using Psim.Data;
using Psim.Models;
using Psim.Training;

namespace Psim.Attacks;

/// <summary>
/// The clean model some attacks start from or borrow from (EP's and SOS's model, RIPPLES's replacement
/// embeddings): full fine-tuning on the clean proxy rows, keeping the epoch with the best clean dev accuracy.
/// </summary>
internal static class CleanProxyFineTune
{
    /// <param name="purpose">what the clean model is for, in the message of a stop</param>
    public static TrainResult Run(BertForSequenceClassification model, AttackContext c, string purpose)
    {
        var o = c.Train;
        var dev = EncodedSet.From(c.Encoder, c.Proxy.Dev);
        var result = new Trainer(c.Log).Train(
            model,
            model.parameters().ToList(),
            EncodedSet.From(c.Encoder, c.Proxy.Train),
            c.Encoder,
            o,
            epoch => (EpochDevScore.Accuracy(model, c.Encoder, dev, o.EvalBatchSize, c.Ct), new Dictionary<string, double>()),
            ct: c.Ct
        );
        if (result.Interrupted)
            throw new PsimInterruptedException($"stopped during the clean fine-tuning {purpose}; nothing was saved");
        return result;
    }
}
