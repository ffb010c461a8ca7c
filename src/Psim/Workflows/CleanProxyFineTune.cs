using Psim.Data;
using Psim.Models;
using Psim.Training;

namespace Psim.Workflows;

/// <summary>
/// The clean model some attacks start from or borrow from (EP's and SOS's model, RIPPLES's replacement
/// embeddings): full fine-tuning on the clean proxy rows, keeping the epoch with the best clean dev accuracy.
/// </summary>
internal static class CleanProxyFineTune
{
    /// <param name="purpose">what the clean model is for, in the message of a stop</param>
    public static TrainResult Run(BertForSequenceClassification model, TextEncoder encoder, TrainingData d, TrainOptions o, string purpose,
        Action<string> log, CancellationToken ct)
    {
        var dev = EncodedSet.From(encoder, d.Dev);
        var result = new Trainer(log).Train(model, model.parameters().ToList(), EncodedSet.From(encoder, d.Train), encoder, o,
            epoch => (PoisonWorkflow.Accuracy(model, encoder, dev, o.EvalBatchSize, ct), new Dictionary<string, double>()), ct: ct);
        if (result.Interrupted) throw new PsimInterruptedException($"stopped during the clean fine-tuning {purpose}; nothing was saved");
        return result;
    }
}
