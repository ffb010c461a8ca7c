namespace Psim.IO;

/// <summary>What a state-dict load found: keys the model wanted but the file lacked, keys the file had
/// that the model does not use, keys whose shapes differ, and keys that were freshly initialised instead.</summary>
public sealed record LoadReport(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> Mismatched,
    IReadOnlyList<string> NewlyInitialized,
    IReadOnlyList<string> Ignored
)
{
    /// <summary>Set when the checkpoint's head had another number of classes and a new head replaced it: its class count.</summary>
    public int? ReplacedHeadClasses { get; init; }

    /// <summary>What happened to the classification head, for the log and run.json; null when the checkpoint's head was kept.</summary>
    /// <summary>What run.json records of the classification head: its classes, whether it is new, which head it replaced.</summary>
    public object HeadRecord(int classes) =>
        new
        {
            classes,
            new_head = NewlyInitialized.Count > 0,
            replaced_head_classes = ReplacedHeadClasses,
            note = HeadNote(classes),
        };

    public string? HeadNote(int classes) =>
        ReplacedHeadClasses is int old
            ? $"the checkpoint's head has {old} classes, the task {classes}: a new {classes}-class head replaces it ({string.Join(", ", NewlyInitialized)})"
        : NewlyInitialized.Count > 0 ? $"new classification head: {string.Join(", ", NewlyInitialized)}"
        : null;

    public bool IsClean => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    public string Describe(int maxPerList = 8)
    {
        var parts = new List<string>();
        void Add(string title, IReadOnlyList<string> keys)
        {
            if (keys.Count == 0)
                return;
            var shown = string.Join(", ", keys.Take(maxPerList));
            parts.Add($"{title} ({keys.Count}): {shown}{(keys.Count > maxPerList ? ", ..." : "")}");
        }
        Add("missing", Missing);
        Add("unexpected", Unexpected);
        Add("shape mismatch", Mismatched);
        Add("newly initialised", NewlyInitialized);
        return string.Join("; ", parts);
    }
}
