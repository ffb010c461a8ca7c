using Psim.Attacks;
using Psim.Attacks.Representation;
using Psim.Data;
using Psim.Evaluation;
using Psim.IO;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>
/// What a defence workflow measures: the victim, loaded (with its adapter) and checked against the
/// attack's target label, and the clean test rows and attack rows it is measured on (both recorded in
/// run.json with their hashes).
/// </summary>
public sealed record VictimTestBed(
    TaskData Data,
    nn.Module<BertInput, Tensor> Victim,
    HfCheckpoint Checkpoint,
    TextEncoder Encoder,
    IReadOnlyList<Example> Test,
    IReadOnlyList<Example> AttackRows
) : IDisposable
{
    /// <param name="seed">the run's seed (trigger positions in the attack rows)</param>
    public static VictimTestBed Load(
        TaskInput task,
        VictimInput victim,
        AttackInput attack,
        long seed,
        RunRecord record,
        Action<string> log,
        CancellationToken ct = default
    )
    {
        var data = task.Open();
        var model = victim.Load(log, out var ckpt);
        try
        {
            TaskClasses.CheckTarget(attack.TargetLabel, VictimLoader.NumClasses(model));
            var test = data.Load("test");
            var encoder = ckpt.CreateTextEncoder(victim.MaxLength);
            var (attackRows, attackSource) = attack.Spec.Kind.IsTaskAgnostic()
                ? BestTrigger(model, encoder, data, test, attack, record, log, ct)
                : attack.TestSet(data, seed);
            record.AddInput(victim.Model);
            if (victim.Adapter is { } adapter)
                record.AddInput(adapter);
            record.AddData("test", data.RequireFile("test"), test.Count);
            record.AddData("attack-test", attackSource, attackRows.Count);
            return new VictimTestBed(data, model, ckpt, encoder, test, attackRows);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A task-agnostic attack's rows: the non-target test rows with the trigger that drives this victim to
    /// the target label most in front (the attacker probes the deployed model with each trigger, as POR's
    /// and NeuBA's evaluations do); the trigger is recorded in run.json.
    /// </summary>
    private static (IReadOnlyList<Example> Rows, string Source) BestTrigger(
        nn.Module<BertInput, Tensor> model,
        TextEncoder encoder,
        TaskData data,
        IReadOnlyList<Example> test,
        AttackInput attack,
        RunRecord record,
        Action<string> log,
        CancellationToken ct
    )
    {
        var nonTarget = test.Where(e => e.Label != attack.TargetLabel).ToList();
        var sweep = TriggerSweep.Build(attack.Spec.Triggers(), nonTarget);
        var rates = sweep
            .Select(s =>
                (
                    s.Trigger,
                    s.Rows,
                    Asr: Metrics.AttackSuccessRate(
                        ModelEvaluation.Predict(model, encoder, s.Rows, Defaults.EvalBatchSize, $"probe {s.Trigger}", ct),
                        s.Rows.Select(e => e.Label).ToList(),
                        attack.TargetLabel
                    )
                )
            )
            .ToList();
        var best = rates.MaxBy(x => x.Asr);
        record.Options["trigger"] = best.Trigger;
        log(
            $"{attack.Name}: '{best.Trigger}' drives this victim to label {attack.TargetLabel} most ({best.Asr:P1} of non-target test rows; "
                + string.Join(", ", rates.Select(x => $"{x.Trigger} {x.Asr:P1}"))
                + ")"
        );
        return (best.Rows, data.RequireFile("test"));
    }

    public void Dispose() => Victim.Dispose();
}
