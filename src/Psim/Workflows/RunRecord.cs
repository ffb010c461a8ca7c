using System.Text.Json;
using System.Text.Json.Serialization;
using Psim.Files;
using Psim.IO;
using Psim.Runtime;

namespace Psim.Workflows;

/// <summary>A data file a run read, with its content hash.</summary>
public sealed record DataFileRecord(string Role, string Path, string Sha256, int Rows);

/// <summary>
/// What made a run's results (written as <c>run.json</c> next to them): the command, the seed, the
/// request as given (its relative paths resolve from <see cref="WorkingDirectory"/>), what the run
/// derived from it, tool versions, the data files with their hashes, and which rows were poisoned.
/// </summary>
public sealed class RunRecord : Attacks.IRunNotes
{
    public string Command { get; init; } = "";

    /// <summary>What the output folder holds (its marker, <see cref="OutputFolder"/>).</summary>
    [JsonIgnore]
    public OutputKind? Kind { get; init; }

    /// <summary>Replace a psim output folder of another kind (never a folder psim did not write).</summary>
    [JsonIgnore]
    public bool Force { get; init; }
    private readonly List<string> _inputs = [];
    public long Seed { get; init; }

    /// <summary>The workflow's request record, serialised by its runtime type.</summary>
    public object? Request { get; init; }
    public string WorkingDirectory { get; init; } = Environment.CurrentDirectory;

    /// <summary>Settings the run derived from the request (a trigger's description, the PEFT config it built).</summary>
    public Dictionary<string, object?> Options { get; init; } = new();
    public IReadOnlyDictionary<string, string> Versions { get; init; } = PsimVersion.All;
    public List<DataFileRecord> Data { get; } = new();
    public Dictionary<string, object?> Models { get; } = new();

    [JsonPropertyName("poisoned_row_ids")]
    public List<int>? PoisonedRowIds { get; set; }
    public DateTime StartedAt { get; init; } = DateTime.UtcNow;
    public DateTime? FinishedAt { get; set; }
    public RunStatus Status { get; private set; } = RunStatus.Running;

    /// <summary>Why a failed run stopped.</summary>
    public string? Error { get; private set; }

    /// <summary>The finalizer gate over this run: safe points passed, and lapses (finalizers let run without a safe point).</summary>
    public GateCounts? FinalizerGate { get; private set; }
    private GateCounts _gateAtStart = Runtime.FinalizerGate.Counts;

    /// <summary>Opens a model ('minilm' or a folder) and records it under <paramref name="role"/>: as given, where it was found, and its origin.</summary>
    public HfCheckpoint OpenModel(string role, string source, Action<string> log)
    {
        var ckpt = ModelResolver.Open(source, log);
        Models[role] = new
        {
            source,
            directory = System.IO.Path.GetFullPath(ckpt.Directory),
            origin = ckpt.Origin,
        };
        AddInput(ckpt.Directory);
        return ckpt;
    }

    public void Note(string key, object? value) => Options[key] = value;

    public void Model(string role, object? value) => Models[role] = value;

    public void AddData(string role, string path, int rows)
    {
        Data.Add(new DataFileRecord(role, System.IO.Path.GetFullPath(path), RunFile.HashFile(path), rows));
        AddInput(path);
    }

    /// <summary>A file or folder the run reads; the output folder may be none of them, nor inside or around one.</summary>
    public void AddInput(string path)
    {
        if (File.Exists(path) || Directory.Exists(path))
            _inputs.Add(path);
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new VocabularyJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) }, // psim's vocabularies, then any other enum
    };

    public const string FileName = RunFile.Name;

    /// <summary>Results a previous run left in the folder; removed when a new run starts writing it.</summary>
    private static readonly string[] StaleResults = ["metrics.json"];

    /// <summary>
    /// Writes an output folder through <paramref name="body"/>: first creates it, removes temporary files
    /// that killed runs left (<see cref="AtomicFile.RemoveStale"/>) and results of an earlier run, and saves
    /// run.json with status "running", so readers refuse the folder (<see cref="RunFile.RequireFinished"/>) until the
    /// body returns ("finished"), is stopped ("interrupted", what it kept stays usable) or throws ("failed",
    /// with the error).
    /// </summary>
    public T Execute<T>(string dir, Action<string>? log, Func<T> body)
    {
        Begin(dir, log);
        T result;
        try
        {
            result = body();
        }
        catch (OperationCanceledException)
        {
            Finish(dir, RunStatus.Interrupted);
            throw;
        }
        catch (Exception e)
        {
            Error = e.Message;
            Finish(dir, RunStatus.Failed);
            throw;
        }
        Finish(dir, RunStatus.Finished);
        return result;
    }

    private void Begin(string dir, Action<string>? log)
    {
        OutputFolder.Claim(
            dir,
            Kind ?? throw new InvalidOperationException("a run record that writes a folder needs its Kind"),
            _inputs,
            Force
        );
        var (files, bytes) = AtomicFile.RemoveStale(dir);
        if (files > 0)
            log?.Invoke($"{dir}: removed {files} temporary file(s) ({bytes:N0} bytes) that an interrupted run left");
        foreach (var f in StaleResults)
            File.Delete(Path.Combine(dir, f));
        _gateAtStart = Runtime.FinalizerGate.Counts;
        Save(dir);
    }

    private void Finish(string dir, RunStatus status)
    {
        Status = status;
        FinishedAt = DateTime.UtcNow;
        FinalizerGate = Runtime.FinalizerGate.Counts.Since(_gateAtStart);
        Save(dir);
    }

    public void Save(string dir) => AtomicFile.WriteAllText(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, Json));

    public static void SaveJson(string path, object value) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Json));
}
