using System.Text.Json;
using System.Text.Json.Serialization;
using Psim.Attacks.Representation;
using Psim.Evaluation;
using Psim.Files;
using Psim.IO;
using Psim.Peft;
using Psim.Runtime;
using Psim.Training;

namespace Psim.Workflows;

/// <summary>The metrics.json of <c>psim poison</c>: the poisoned model on the proxy test set.</summary>
public sealed record PoisonMetrics(
    double? CleanAccuracy,
    IReadOnlyList<double?>? CleanAccuracyByLabel,
    double? AttackSuccessRate,
    int CleanRows,
    int? AttackRows,
    string Attack,
    string Data,
    int BestEpoch,
    IReadOnlyList<EpochLog> Epochs,
    int PoisonedRows,
    int TrainRows
)
{
    /// <summary>EP: the mean loss of each epoch of the embedding step (after the clean fine-tuning <see cref="Epochs"/> logs).</summary>
    public IReadOnlyList<double>? EpLosses { get; init; }

    /// <summary>A task-agnostic attack (no head, so no CA or ASR): how close its outputs are to what it wants, on the proxy dev rows.</summary>
    public RepresentationFit? Representation { get; init; }
}

/// <summary>The metrics.json of <c>psim finetune</c>: the victim on the clean test set (and ASR when an attack is named).</summary>
public sealed record FinetuneMetrics(
    double CleanAccuracy,
    IReadOnlyList<double?> CleanAccuracyByLabel,
    double? AttackSuccessRate,
    int CleanRows,
    int? AttackRows,
    string? Attack,
    TuningMethod Method,
    long TrainableParameters,
    string Data,
    int BestEpoch,
    IReadOnlyList<EpochLog> Epochs
)
{
    /// <summary>A task-agnostic attack: each trigger's ASR toward every class.</summary>
    public IReadOnlyList<TriggerAsr>? Triggers { get; init; }
}

/// <summary>
/// The scores.json of <c>psim defend evaluate</c>: the detector's confidence on each clean and each triggered test row, and whether
/// the undefended victim sent each triggered row to the target (with these, FRR and ASR follow for any threshold).
/// </summary>
public sealed record PsimScores(IReadOnlyList<double> Clean, IReadOnlyList<double> Poisoned)
{
    public IReadOnlyList<bool>? PoisonedToTarget { get; init; }
}

/// <summary>
/// A file of a run folder that another part of psim reads, with its record type: written and read
/// by the same type, in snake_case JSON (<see cref="RunRecord.Json"/>), so a renamed field fails to
/// compile instead of turning into a blank in a report; a field the type does not know (a file written before a
/// rename, or by another tool) is refused when read, naming the file and the field.
/// </summary>
public sealed class ResultFile<T>(string fileName, JsonSerializerOptions? json = null)
    where T : class
{
    private readonly JsonSerializerOptions _json = json ?? RunRecord.Json;
    private readonly JsonSerializerOptions _read = new(json ?? RunRecord.Json)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string FileName => fileName;

    public void Write(string dir, T value) => AtomicFile.WriteAllText(Path.Combine(dir, fileName), JsonSerializer.Serialize(value, _json));

    /// <summary>The folder's file, or null when it has none.</summary>
    public T? Read(string dir)
    {
        var path = Path.Combine(dir, fileName);
        if (!File.Exists(path))
            return null;
        using var doc = Files.Json.ParseDocument(path, Files.StrictText.ReadAll(path, Files.StrictText.DataMaxBytes));
        try
        {
            return doc.RootElement.Deserialize<T>(_read) ?? throw new PsimFormatException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new PsimFormatException($"{path}: not a {typeof(T).Name} ({e.Message})");
        }
    }
}

/// <summary>Every result file psim writes for another part to read.</summary>
public static class ResultFiles
{
    public static readonly ResultFile<PoisonMetrics> Poison = new("metrics.json");
    public static readonly ResultFile<FinetuneMetrics> Finetune = new("metrics.json");
    public static readonly ResultFile<DefenseReport> Defense = new("metrics.json");
    public static readonly ResultFile<List<BaselineResult>> Baselines = new("metrics.json");
    public static readonly ResultFile<PsimScores> Scores = new("scores.json");
}
