using Psim.Evaluation;

namespace Psim.Workflows;

/// <summary>What <c>psim evaluate</c> does: CA (and ASR) of a saved victim on a task's test data.</summary>
public sealed record EvaluateRequest
{
    public required TaskInput Task { get; init; }
    public required VictimInput Victim { get; init; }

    /// <summary>When set, ASR is measured for this attack.</summary>
    public AttackInput? Attack { get; init; }

    /// <summary>The run's seed (trigger positions).</summary>
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>Also write the report to this JSON file.</summary>
    public string? OutFile { get; init; }

    /// <summary>Replace an existing <see cref="OutFile"/>.</summary>
    public bool Force { get; init; }
}

public static class EvaluateWorkflow
{
    public static EvalReport Run(EvaluateRequest r, Action<string> log, CancellationToken ct = default)
    {
        if (r.OutFile is { } outFile)
            Files.OutputPaths.ClaimFile(outFile, [r.Victim.Model, r.Victim.Adapter, r.Task.DataDir], r.Force);
        using var model = r.Victim.Load(log, out var ckpt);
        var inputs = EvalInputs.Load(r.Task.Open(), VictimLoader.NumClasses(model), r.Attack, r.Seed);
        var report = ModelEvaluation.Evaluate(model, ckpt.CreateTextEncoder(r.Victim.MaxLength), inputs, Defaults.EvalBatchSize, ct);
        if (r.OutFile is { } f)
            RunRecord.SaveJson(f, report);
        return report;
    }
}
