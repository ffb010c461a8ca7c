using Psim.Models;
using Psim.Training;

namespace Psim.Attacks;

/// <summary>
/// How an attack turns its poisoned rows into weights; each attack's descriptor names one. <c>psim poison</c> calls
/// <see cref="Prepare"/> before its run folder exists (a bad data file stops there, nothing written), then
/// <see cref="Train"/> inside the run, and evaluates and records what it returns.
/// </summary>
public interface IPoisoningProcedure
{
    /// <summary>Whether it poisons the encoder for any task (no head, no target label, no CA or ASR of its own; POR, NeuBA).</summary>
    bool TaskAgnostic => false;

    /// <summary>The rows it trains on, built from the proxy task (and logged).</summary>
    PoisonedSet Prepare(AttackContext c);

    /// <summary>Trains on <paramref name="rows"/> and saves the poisoned checkpoint into <see cref="AttackContext.OutDir"/>.</summary>
    PoisonedModel Train(AttackContext c, PoisonedSet rows);
}

/// <summary>
/// The rows a procedure trains on: poisoned ones flagged (run.json records their ids), and the dev copy its
/// epoch is chosen on (null: clean dev).
/// </summary>
public sealed record PoisonedSet(IReadOnlyList<PoisonedExample> Rows, IReadOnlyList<Data.Example>? SelectionDev = null)
{
    public IReadOnlyList<int> PoisonedRowIds => Rows.Where(p => p.Poisoned).Select(p => p.Example.Index).ToList();
}

/// <summary>
/// What a procedure hands back: the poisoned classifier to measure (null for a task-agnostic encoder), its training,
/// the counts <c>metrics.json</c> reports, and what only some procedures measure. Disposing it disposes the classifier.
/// </summary>
public sealed record PoisonedModel(BertForSequenceClassification? Classifier, TrainResult Training, int PoisonedRows, int TrainRows)
    : IDisposable
{
    /// <summary>Embedding poisoning: the mean loss of each epoch of the embedding step.</summary>
    public IReadOnlyList<double>? EmbeddingLosses { get; init; }

    /// <summary>A task-agnostic attack: how close its outputs came to what it wants, on the proxy dev rows.</summary>
    public Representation.RepresentationFit? Representation { get; init; }

    public void Dispose() => Classifier?.Dispose();
}
