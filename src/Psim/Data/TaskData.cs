namespace Psim.Data;

/// <summary>
/// A task folder: <c>train</c>, <c>dev</c> and <c>test</c> files (any supported format), e.g.
/// <c>../shared/datasets/sst-2</c>. Files are found by split name; missing splits are null.
/// </summary>
public sealed class TaskData
{
    public string Directory { get; }
    public string Name => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory)));

    public TaskData(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new PsimException($"{directory}: data folder not found");
        Directory = directory;
    }

    private static readonly string[] Extensions = [".jsonl", ".json", ".tsv", ".csv"];

    /// <summary>The file of a split (e.g. "train", "test_synattack"), or null.</summary>
    public string? FindFile(string split) =>
        Extensions.Select(e => Path.Combine(Directory, split + e)).FirstOrDefault(File.Exists);

    public string RequireFile(string split) => FindFile(split)
        ?? throw new PsimException($"{Directory}: no {split} file ({string.Join(", ", Extensions.Select(e => split + e))})");

    public IReadOnlyList<Example> Load(string split, ReadOptions? options = null) => DatasetReader.Read(RequireFile(split), options);
}
