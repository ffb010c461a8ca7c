namespace Psim.Workflows;

/// <summary>A request whose run writes one output folder.</summary>
public interface IFolderRequest<TSelf>
    where TSelf : IFolderRequest<TSelf>
{
    string OutDir { get; }

    /// <summary>The same request writing into <paramref name="dir"/>.</summary>
    TSelf WithOutDir(string dir);
}
