namespace Psim.Runtime;

/// <summary>Where psim keeps derived files (the converted default model): $PSIM_CACHE, else $XDG_CACHE_HOME/psim, else ~/.cache/psim.</summary>
public static class PsimPaths
{
    public static string CacheRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("PSIM_CACHE");
            if (!string.IsNullOrWhiteSpace(env))
                return Path.GetFullPath(env);
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrWhiteSpace(xdg))
                return Path.Combine(xdg, "psim");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "psim");
        }
    }
}
