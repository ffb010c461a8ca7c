using Psim.Data;
using Psim.Evaluation;
using Psim.Models;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>CA and ASR of a classifier on a task's test data (spec §5).</summary>
public static class ModelEvaluation
{
    public static int[] Predict(
        nn.Module<BertInput, Tensor> model,
        TextEncoder encoder,
        IReadOnlyList<Example> rows,
        int batchSize,
        string label,
        CancellationToken ct
    ) =>
        Predictor
            .Probabilities(model, encoder, rows.Select(r => encoder.Encode(r.Text)).ToList(), batchSize, label, ct)
            .Select(Predictor.ArgMax)
            .ToArray();

    public static EvalReport Evaluate(
        nn.Module<BertInput, Tensor> model,
        TextEncoder encoder,
        EvalInputs inputs,
        int batchSize,
        CancellationToken ct
    )
    {
        var test = inputs.Test;
        var gold = test.Select(e => e.Label).ToList();
        var predicted = Predict(model, encoder, test, batchSize, "test (clean)", ct);
        var ca = Metrics.Accuracy(predicted, gold);
        var perClass = Metrics.ClassAccuracy(predicted, gold, inputs.NumClasses);
        if (inputs is { Attack: { } agnostic, TriggerRows: { } sweep })
            return WithTriggers(model, encoder, inputs, agnostic, sweep, ca, perClass, batchSize, ct);
        if (inputs is not { Attack: { } attack, AttackRows: { } rows })
            return new EvalReport(ca, test.Count, null, null, null) { ClassAccuracy = perClass };
        var asr = Metrics.AttackSuccessRate(
            Predict(model, encoder, rows, batchSize, $"test ({attack.Name})", ct),
            rows.Select(e => e.Label).ToList(),
            attack.TargetLabel
        );
        return new EvalReport(ca, test.Count, asr, rows.Count, attack.Name) { ClassAccuracy = perClass };
    }

    /// <summary>A task-agnostic attack: every trigger's ASR toward every class; the headline ASR is the best trigger's toward the target.</summary>
    private static EvalReport WithTriggers(
        nn.Module<BertInput, Tensor> model,
        TextEncoder encoder,
        EvalInputs inputs,
        AttackInput attack,
        IReadOnlyList<(string Trigger, IReadOnlyList<Example> Rows)> sweep,
        double ca,
        IReadOnlyList<double?> perClass,
        int batchSize,
        CancellationToken ct
    )
    {
        var gold = inputs.Test.Select(e => e.Label).ToList();
        var triggers = sweep
            .Select(s =>
                TriggerAsr.Measure(
                    s.Trigger,
                    Predict(model, encoder, s.Rows, batchSize, $"test ({attack.Name} {s.Trigger})", ct),
                    gold,
                    inputs.NumClasses
                )
            )
            .ToList();
        int attackRows = gold.Count(g => g != attack.TargetLabel);
        return new EvalReport(ca, inputs.Test.Count, triggers.Max(t => t.AsrByClass[attack.TargetLabel]), attackRows, attack.Name)
        {
            ClassAccuracy = perClass,
            Triggers = triggers,
        };
    }
}
