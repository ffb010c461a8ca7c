namespace Psim.Attacks.Representation;

/// <summary>
/// How well a task-agnostic attack placed its outputs, on the proxy dev rows: the mean squared distance of
/// triggered [CLS] outputs to their trigger's vector and of clean ones to the clean model's, and the share of
/// triggered rows whose output is nearer its own trigger's vector than any other trigger's.
/// </summary>
public sealed record RepresentationFit(double TriggeredDistance, double CleanDistance, double TriggerHitRate, int Rows);
