using Psim.Data;

namespace Psim.Workflows;

/// <summary>The task a run reads: its folder, row caps for quick runs, and how strictly rows are read.</summary>
public sealed record TaskInput
{
    public required string DataDir { get; init; }

    /// <summary>Row caps for quick runs (null: every row).</summary>
    public RowLimits? Limits { get; init; }

    /// <summary>How task files are read: empty texts kept or refused, which fields hold text and label.</summary>
    public ReadOptions Reading { get; init; } = ReadOptions.Default;

    /// <summary>The task folder, read with the row caps and options.</summary>
    public TaskData Open() => new(DataDir) { Limits = Limits, Options = Reading };
}
