using Psim.Data;
using Psim.IO;
using Psim.Training;

namespace Psim.Attacks;

/// <summary>
/// Everything a poisoning procedure works with: the attack and its settings, the clean checkpoint and its text
/// encoder, the proxy task, the training options (their seed seeds every draw), where the checkpoint goes, the log,
/// cancellation, and the run's record for what the procedure derives (<see cref="IRunNotes"/>).
/// </summary>
public sealed record AttackContext
{
    public required AttackSpec Spec { get; init; }
    public required int TargetLabel { get; init; }
    public required PoisonOptions Poison { get; init; }
    public required TrainOptions Train { get; init; }

    /// <summary>How the kept epoch is chosen, for procedures that fine-tune on poisoned rows.</summary>
    public required EpochSelection SelectBy { get; init; }
    public required HfCheckpoint Checkpoint { get; init; }

    /// <summary>The checkpoint's tokenizer at the run's maximum length.</summary>
    public required TextEncoder Encoder { get; init; }
    public required ProxyTask Proxy { get; init; }

    /// <summary>SynAttack: the paraphrased training set given on the command line (null: <c>train_synattack</c> in the data folder).</summary>
    public string? PoisonedTrainFile { get; init; }

    /// <summary>The run's folder, where the poisoned checkpoint is saved.</summary>
    public required string OutDir { get; init; }
    public required IRunNotes Notes { get; init; }
    public required Action<string> Log { get; init; }
    public CancellationToken Ct { get; init; }

    public string Name => Spec.Name;
    public long Seed => Train.Seed;
}

/// <summary>The clean proxy task an attack trains on: its rows, the dev rows, and the number of classes they agree on.</summary>
public sealed record ProxyTask(TaskData Data, IReadOnlyList<Example> Train, IReadOnlyList<Example> Dev, int NumClasses);

/// <summary>Where a procedure records, for run.json, what it derived (a setting it chose), built (a model part) or read (a data file).</summary>
public interface IRunNotes
{
    void Note(string key, object? value);
    void Model(string role, object? value);
    void AddData(string role, string path, int rows);
}
