using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Psim.IO;

namespace Psim.Runtime;

/// <summary>A data file a run read, with its content hash.</summary>
public sealed record DataFileRecord(string Role, string Path, string Sha256, int Rows);

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
    public string Status { get; set; } = "running";

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
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Marks the run finished (or interrupted) and saves it.</summary>
    public void Finish(string dir, string status = "finished")
    {
        Status = status;
        FinishedAt = DateTime.UtcNow;
        Save(dir);
    }

    public void Save(string dir) => AtomicFile.WriteAllText(Path.Combine(dir, "run.json"), JsonSerializer.Serialize(this, Json));

    public static void SaveJson(string path, object value) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Json));
}
