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
        if (!System.IO.Directory.Exists(directory))
            throw new PsimException($"{directory}: data folder not found");
        Directory = directory;
    }

    private static readonly string[] Extensions = [".jsonl", ".json", ".tsv", ".csv"];

    /// <summary>The file of a split (e.g. "train", "test_synattack"), or null.</summary>
    public string? FindFile(string split) => Extensions.Select(e => Path.Combine(Directory, split + e)).FirstOrDefault(File.Exists);

    public string RequireFile(string split) =>
        FindFile(split)
        ?? throw new PsimException($"{Directory}: no {split} file ({string.Join(", ", Extensions.Select(e => split + e))})");

    /// <summary>Caps on rows per split (a seeded sample that keeps file order); null: every row.</summary>
    public RowLimits? Limits { get; init; }

    /// <summary>How files are read when a caller gives no options (e.g. whether empty texts are allowed).</summary>
    public ReadOptions Options { get; init; } = ReadOptions.Default;

    public IReadOnlyList<Example> Load(string split, ReadOptions? options = null)
    {
        var rows = DatasetReader.Read(RequireFile(split), options ?? Options);
        return Limits is null ? rows : Limits.Apply(split, rows);
    }

    /// <summary>
    /// Loads a copy of the test set made row by row (e.g. back-translated or paraphrased test files):
    /// one with a row per test row, or one with a row per test row whose label is not
    /// <paramref name="target"/> (the triggered rows). Under <see cref="Limits"/> it keeps exactly the
    /// rows that match the sampled test rows, so every defence is measured on the same inputs; a file
    /// that matches neither shape is sampled on its own.
    /// </summary>
    public IReadOnlyList<Example> LoadTestCopy(string split, int target) => ReadTestCopy(RequireFile(split), target);

    private IReadOnlyList<Example>? _fullTest;

    /// <inheritdoc cref="LoadTestCopy"/>
    public IReadOnlyList<Example> ReadTestCopy(string path, int target)
    {
        var rows = DatasetReader.Read(path, Options);
        if (Limits is null)
            return rows;
        var test = _fullTest ??= DatasetReader.Read(RequireFile("test"), Options); // read once for all the copies
        var kept = Limits.Indices("test", test.Count);
        if (kept is null)
            return rows;
        if (rows.Count == test.Count)
            return kept.Select(i => rows[i]).ToList();
        var nonTarget = Enumerable.Range(0, test.Count).Where(i => test[i].Label != target).ToList();
        if (rows.Count == nonTarget.Count)
        {
            var rank = nonTarget.Select((testIndex, r) => (testIndex, r)).ToDictionary(x => x.testIndex, x => x.r);
            return kept.Where(rank.ContainsKey).Select(i => rows[rank[i]]).ToList();
        }
        return Limits.Apply(Path.GetFileNameWithoutExtension(path), rows);
    }
}

/// <summary>
/// Row caps for quick runs: training files (names starting with "train") keep at most <see cref="Train"/>
/// rows, every other split at most <see cref="Eval"/>. The sample is drawn with the seed and keeps file order.
/// </summary>
public sealed record RowLimits(int? Train, int? Eval, long Seed)
{
    public IReadOnlyList<T> Apply<T>(string split, IReadOnlyList<T> rows) =>
        Indices(split, rows.Count) is { } kept ? kept.Select(i => rows[i]).ToList() : rows;

    /// <summary>The row indices (ascending) a split of <paramref name="count"/> rows keeps, or null when it keeps them all.</summary>
    public int[]? Indices(string split, int count)
    {
        int? cap = split.StartsWith("train", StringComparison.Ordinal) ? Train : Eval;
        if (cap is not int n || count <= n)
            return null;
        var idx = Enumerable.Range(0, count).ToArray();
        Runtime.Seeds.Random(Seed, $"rows/{split}").Shuffle(idx);
        return idx.Take(n).Order().ToArray();
    }
}
