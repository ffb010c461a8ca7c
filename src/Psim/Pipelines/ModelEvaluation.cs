using Psim.Attacks;
using Psim.Data;
using Psim.Evaluation;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Pipelines;

/// <summary>CA and ASR of a classifier on a task's test data (spec §5).</summary>
public static class ModelEvaluation
{
    public static int[] Predict(nn.Module<BertInput, Tensor> model, TextEncoder encoder, IReadOnlyList<Example> rows, int batchSize, string label, CancellationToken ct) =>
        Predictor.Probabilities(model, encoder, rows.Select(r => encoder.Encode(r.Text)).ToList(), batchSize, label, ct).Select(Predictor.ArgMax).ToArray();

    public static EvalReport Evaluate(nn.Module<BertInput, Tensor> model, TextEncoder encoder, TaskData data, AttackSpec? attack,
        int target, long seed, int batchSize, CancellationToken ct, string? paraphrasedTest = null)
    {
        var test = data.Load("test");
        var gold = test.Select(e => e.Label).ToList();
        var predicted = Predict(model, encoder, test, batchSize, "test (clean)", ct);
        var ca = Metrics.Accuracy(predicted, gold);
        var perClass = Metrics.ClassAccuracy(predicted, gold, NumClasses(test));
        if (attack is null) return new EvalReport(ca, test.Count, null, null, null) { ClassAccuracy = perClass };
        var (rows, _) = AttackTestSet.Build(attack, data, target, seed, paraphrasedTest);
        var asr = Metrics.AttackSuccessRate(Predict(model, encoder, rows, batchSize, $"test ({attack.Name})", ct), rows.Select(e => e.Label).ToList(), target);
        return new EvalReport(ca, test.Count, asr, rows.Count, attack.Name) { ClassAccuracy = perClass };
    }

    /// <summary>The number of classes of a labelled set: the largest label + 1, at least 2.</summary>
    public static int NumClasses(IEnumerable<Example> rows) => Math.Max(2, rows.Max(e => e.Label) + 1);
}
