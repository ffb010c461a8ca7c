namespace Psim.Evaluation;

/// <summary>CA on the clean test set and, when an attack is named, ASR on its triggered non-target rows.</summary>
public sealed record EvalReport(double CleanAccuracy, int CleanRows, double? AttackSuccessRate, int? AttackRows, string? Attack)
{
    /// <summary>Clean test accuracy on each gold class (index = label): shows a poisoned model's drift toward one class.</summary>
    public IReadOnlyList<double?> ClassAccuracy { get; init; } = [];

    /// <summary>A task-agnostic attack: each trigger's ASR toward every class (<see cref="AttackSuccessRate"/> is then the best trigger's toward the target).</summary>
    public IReadOnlyList<TriggerAsr>? Triggers { get; init; }
}
