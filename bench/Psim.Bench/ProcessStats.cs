namespace Psim.Bench;

/// <summary>This process's minor page faults, user and kernel CPU seconds, and resident-memory marks (Linux /proc).</summary>
internal readonly record struct ProcessStats(long MinorFaults, double UserSeconds, double KernelSeconds)
{
    public static ProcessStats Now()
    {
        if (!File.Exists("/proc/self/stat"))
            return new(0, 0, 0);
        var stat = File.ReadAllText("/proc/self/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // fields from 3 (state) on
        double tick = 100.0; // USER_HZ on Linux
        return new(long.Parse(f[7]), long.Parse(f[11]) / tick, long.Parse(f[12]) / tick);
    }

    public static ProcessStats operator -(ProcessStats a, ProcessStats b) =>
        new(a.MinorFaults - b.MinorFaults, a.UserSeconds - b.UserSeconds, a.KernelSeconds - b.KernelSeconds);

    /// <summary>Kernel time as a share of all CPU time.</summary>
    public double KernelShare => UserSeconds + KernelSeconds > 0 ? KernelSeconds / (UserSeconds + KernelSeconds) : 0;

    public static void ResetPeakRss()
    {
        GC.Collect();
        Psim.Runtime.FinalizerGate.SafePoint(); // runs what the collection found, with the finalizer thread let go and parked again
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>A /proc/self/status field in MiB (VmHWM: peak resident, VmRSS: resident now).</summary>
    public static double StatusMiB(string key)
    {
        if (!File.Exists("/proc/self/status"))
            return double.NaN;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return double.NaN;
    }
}
