namespace Psim.Tests;

/// <summary>Where the repository is, from the test binaries.</summary>
internal static class Repo
{
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Psim.sln")))
                return d.FullName;
        throw new InvalidOperationException("Psim.sln not found above the test binaries");
    }
}
