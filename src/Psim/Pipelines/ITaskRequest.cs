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

/// <summary>A request whose run writes one output folder.</summary>
public interface IFolderRequest<TSelf> where TSelf : IFolderRequest<TSelf>
{
    string OutDir { get; }
    /// <summary>The same request writing into <paramref name="dir"/>.</summary>
    TSelf WithOutDir(string dir);
}

public static class TaskRequestExtensions
{
    /// <summary>The request's task folder, read with its row caps and options.</summary>
    public static TaskData OpenData(this ITaskRequest r) =>
        new(r.DataDir) { Limits = r.Limits, Options = r.Reading };
}
