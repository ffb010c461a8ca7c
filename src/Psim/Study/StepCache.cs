using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Psim.IO;

namespace Psim.Study;

/// <summary>
/// Every step of a study writes into its own folder, named by a hash of everything that determines
/// its output (settings, data file hashes, upstream step keys). A step is finished when its
/// <c>step.json</c> exists; a folder without it is a step that was stopped, and is redone.
/// </summary>
public sealed class StepCache
{
    private readonly string _root;

    public StepCache(string root)
    {
        _root = Path.Combine(root, "steps");
        Directory.CreateDirectory(_root);
    }

    public static string Key(object inputs)
    {
        var json = JsonSerializer.Serialize(inputs, StudyConfig.Json);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    public string DirectoryFor(string name, string key) => Path.Combine(_root, $"{name}-{key}");

    public bool IsDone(string name, string key) => File.Exists(Path.Combine(DirectoryFor(name, key), "step.json"));

    /// <summary>Runs <paramref name="run"/> into a fresh folder unless the step is already done; returns the folder and whether it ran.</summary>
    public (string Dir, bool Ran) Run(string name, object inputs, Action<string> run)
    {
        var key = Key(inputs);
        var dir = DirectoryFor(name, key);
        if (IsDone(name, key)) return (dir, false);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // a stopped attempt
        Directory.CreateDirectory(dir);
        var started = DateTime.UtcNow;
        run(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "step.json"), JsonSerializer.Serialize(new
        {
            name, key, inputs, started_at = started, finished_at = DateTime.UtcNow, seconds = (DateTime.UtcNow - started).TotalSeconds,
        }, StudyConfig.Json));
        return (dir, true);
    }
}
