namespace Psim.Data;

/// <summary>
/// A task's class count, read from its training labels before anything is sized by it: labels are
/// 0 .. K-1 and every one of them occurs in training. A stray label (7 in a binary task) or a huge one
/// is an error naming the file, not an 8-class head or an allocation of gigabytes.
/// </summary>
public static class TaskClasses
{
    /// <summary>More classes than this is refused (a head this wide is almost certainly a broken label column).</summary>
    public const int Max = 10_000;

    public static int Count(IReadOnlyList<Example> train, string source)
    {
        if (train.Count == 0)
            throw new PsimFormatException($"{source}: no training rows");
        int max = train.Max(e => e.Label);
        if (max >= Max)
            throw new PsimFormatException(
                $"{source}: label {max} (row {Row(train, max)}) would make a task of {(long)max + 1:N0} classes; psim allows at most {Max:N0}"
            );
        int k = Math.Max(2, max + 1);
        var seen = new bool[k];
        foreach (var e in train)
            seen[e.Label] = true;
        var absent = Enumerable.Range(0, k).Where(c => !seen[c]).ToList();
        if (absent.Count > 0 && max >= 2)
            throw new PsimFormatException(
                $"{source}: label {max} (row {Row(train, max)}) occurs but label{(absent.Count > 1 ? "s" : "")} {Ranges(absent)} never {(absent.Count > 1 ? "do" : "does")}; labels must be 0 .. K-1 with every class in training"
            );
        return k;
    }

    /// <summary>Every label of an evaluation file must be a class of the task.</summary>
    public static void Check(IReadOnlyList<Example> rows, int k, string source)
    {
        foreach (var e in rows)
            if (e.Label >= k)
                throw new PsimFormatException(
                    $"{source}: row {e.Index} has label {e.Label}, but the task has {k} classes (0 .. {k - 1}) in training"
                );
    }

    /// <summary>The attack's target must be one of the task's classes.</summary>
    public static void CheckTarget(int target, int k)
    {
        if (target < 0 || target >= k)
            throw new PsimException($"target label {target} (--target) is not a class of this task (0 .. {k - 1})");
    }

    private static int Row(IReadOnlyList<Example> rows, int label) => rows.First(e => e.Label == label).Index;

    private static string Ranges(List<int> values) =>
        values.Count <= 3 ? string.Join(", ", values) : $"{values[0]} .. {values[^1]} ({values.Count} classes)";
}
