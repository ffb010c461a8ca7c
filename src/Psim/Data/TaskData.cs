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

    /// <summary>Caps on rows per split (a seeded sample that keeps file order); null: every row.</summary>
    public RowLimits? Limits { get; init; }

    public IReadOnlyList<Example> Load(string split, ReadOptions? options = null)
    {
        var rows = DatasetReader.Read(RequireFile(split), options);
        return Limits is null ? rows : Limits.Apply(split, rows);
    }
}

/// <summary>
/// Row caps for quick runs: training files (names starting with "train") keep at most <see cref="Train"/>
/// rows, every other split at most <see cref="Eval"/>. The sample is drawn with the seed and keeps file order.
/// </summary>
public sealed record RowLimits(int? Train, int? Eval, long Seed)
{
    public IReadOnlyList<T> Apply<T>(string split, IReadOnlyList<T> rows)
    {
        int? cap = split.StartsWith("train", StringComparison.Ordinal) ? Train : Eval;
        if (cap is not int n || rows.Count <= n) return rows;
        var idx = Enumerable.Range(0, rows.Count).ToArray();
        Runtime.Seeds.Random(Seed, $"rows/{split}").Shuffle(idx);
        return idx.Take(n).Order().Select(i => rows[i]).ToList();
    }
}
