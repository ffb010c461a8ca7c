using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Psim.IO;

namespace Psim.Runtime;

/// <summary>A data file a run read, with its content hash.</summary>
public sealed record DataFileRecord(string Role, string Path, string Sha256, int Rows);

/// <summary>Where the run writing a folder stands: readers refuse folders still "running" or "failed".</summary>
public enum RunStatus { Running, Finished, Interrupted, Failed }

/// <summary>
/// What made a run's results (written as <c>run.json</c> next to them): the command, the seed, every
/// option, tool versions, the data files with their hashes, and which rows were poisoned.
/// </summary>
public sealed class RunRecord
{
    public string Command { get; init; } = "";
    public long Seed { get; init; }
    public Dictionary<string, object?> Options { get; init; } = new();
    public IReadOnlyDictionary<string, string> Versions { get; init; } = PsimVersion.All;
    public List<DataFileRecord> Data { get; } = new();
    public Dictionary<string, object?> Models { get; } = new();
    [JsonPropertyName("poisoned_row_ids")] public List<int>? PoisonedRowIds { get; set; }
    public DateTime StartedAt { get; init; } = DateTime.UtcNow;
    public DateTime? FinishedAt { get; set; }
    public RunStatus Status { get; private set; } = RunStatus.Running;
    /// <summary>Why a failed run stopped.</summary>
    public string? Error { get; private set; }

    public void AddData(string role, string path, int rows) =>
        Data.Add(new DataFileRecord(role, System.IO.Path.GetFullPath(path), HashFile(path), rows));

    public static string HashFile(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new VocabularyJsonConverter(), new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) }, // psim's vocabularies, then any other enum
    };

    public const string FileName = "run.json";
    /// <summary>Results a previous run left in the folder; removed when a new run starts writing it.</summary>
    private static readonly string[] StaleResults = ["metrics.json"];

    /// <summary>
    /// Writes an output folder through <paramref name="body"/>: first creates it, removes temporary files
    /// that killed runs left (<see cref="AtomicFile.RemoveStale"/>) and results of an earlier run, and saves
    /// run.json with status "running", so readers refuse the folder (<see cref="RequireFinished"/>) until the
    /// body returns ("finished"), is stopped ("interrupted", what it kept stays usable) or throws ("failed",
    /// with the error).
    /// </summary>
    public T Execute<T>(string dir, Action<string>? log, Func<T> body)
    {
        Begin(dir, log);
        T result;
        try { result = body(); }
        catch (OperationCanceledException) { Finish(dir, RunStatus.Interrupted); throw; }
        catch (Exception e) { Error = e.Message; Finish(dir, RunStatus.Failed); throw; }
        Finish(dir, RunStatus.Finished);
        return result;
    }

    private void Begin(string dir, Action<string>? log)
    {
        Directory.CreateDirectory(dir);
        var (files, bytes) = AtomicFile.RemoveStale(dir);
        if (files > 0) log?.Invoke($"{dir}: removed {files} temporary file(s) ({bytes:N0} bytes) that an interrupted run left");
        foreach (var f in StaleResults) File.Delete(Path.Combine(dir, f));
        Save(dir);
    }

    private void Finish(string dir, RunStatus status)
    {
        Status = status;
        FinishedAt = DateTime.UtcNow;
        Save(dir);
    }

    /// <summary>
    /// Refuses a folder whose run.json says the psim run writing it never finished (killed, or still
    /// running) or failed: its files may be partial or come from two different runs. Folders without
    /// run.json (from Python, or copied) and interrupted runs (Ctrl-C keeps the last complete checkpoint)
    /// are accepted.
    /// </summary>
    public static void RequireFinished(string dir)
    {
        var path = Path.Combine(dir, FileName);
        if (!File.Exists(path)) return;
        string? status;
        try { status = IO.Json.Parse(path)?["status"]?.GetValue<string>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException) { status = null; }
        if (status == Vocabulary<RunStatus>.Name(RunStatus.Running))
            throw new PsimException($"{dir}: {FileName} says the psim run writing this folder never finished (status \"running\": killed, or still running), so its files may come from two runs; run that command again to completion (or delete {FileName} to use the files anyway)");
        if (status == Vocabulary<RunStatus>.Name(RunStatus.Failed))
            throw new PsimException($"{dir}: {FileName} says the psim run writing this folder failed, so its files may be partial; run that command again to completion (or delete {FileName} to use the files anyway)");
    }

    public void Save(string dir) => AtomicFile.WriteAllText(Path.Combine(dir, FileName), JsonSerializer.Serialize(this, Json));

    public static void SaveJson(string path, object value) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Json));
}
