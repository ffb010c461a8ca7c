using Psim.Data;

namespace Psim.Pipelines;

/// <summary>What every pipeline request says about its task data: the folder, row caps, and how strictly rows are read.</summary>
public interface ITaskRequest
{
    string DataDir { get; }
    /// <summary>Row caps for quick runs (null: every row).</summary>
    RowLimits? Limits { get; }
    /// <summary>How task files are read: empty texts kept or refused, which fields hold text and label.</summary>
    ReadOptions Reading { get; }
}

public static class TaskRequestExtensions
{
    /// <summary>The request's task folder, read with its row caps and options.</summary>
    public static TaskData OpenData(this ITaskRequest r) =>
        new(r.DataDir) { Limits = r.Limits, Options = r.Reading };
}
