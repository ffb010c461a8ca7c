using System.Diagnostics;

namespace Psim.Training;

/// <summary>
/// Progress with an ETA on stderr: a line rewritten in place on a terminal, a plain line every
/// few seconds otherwise (logs, CI).
/// </summary>
public sealed class Progress
{
    private readonly string _label;
    private readonly long _total;
    private readonly Stopwatch _sw = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private readonly TextWriter _err;
    private double _lastPrint = -10;

    public Progress(string label, long total, TextWriter? err = null)
    {
        _label = label;
        _total = Math.Max(1, total);
        _err = err ?? Console.Error;
    }

    public void Report(long done, string? extra = null)
    {
        double t = _sw.Elapsed.TotalSeconds;
        bool last = done >= _total;
        if (!last && t - _lastPrint < (_interactive ? 0.25 : 15))
            return;
        _lastPrint = t;
        double eta = done > 0 ? t / done * (_total - done) : double.NaN;
        var line =
            $"{_label}: {done}/{_total} ({100.0 * done / _total:F0}%) {Fmt(t)} elapsed, ETA {(double.IsNaN(eta) ? "?" : Fmt(eta))}{(extra is null ? "" : "  " + extra)}";
        if (_interactive)
            _err.Write("\r" + line.PadRight(110) + (last ? "\n" : ""));
        else
            _err.WriteLine(line);
    }

    private static string Fmt(double s) =>
        s < 3600 ? TimeSpan.FromSeconds(s).ToString(@"m\:ss") : TimeSpan.FromSeconds(s).ToString(@"h\:mm\:ss");
}
