using ScottPlot;

namespace Psim.Charts;

/// <summary>A PNG histogram of detector confidence for clean and poisoned inputs, with the threshold marked.</summary>
public static class ConfidenceHistogram
{
    public static void Save(
        string path,
        IReadOnlyList<double> clean,
        IReadOnlyList<double> poisoned,
        double threshold,
        string title,
        int bins = 40
    )
    {
        double lo = Math.Min(clean.Concat(poisoned).DefaultIfEmpty(0.5).Min(), threshold);
        lo = Math.Floor(lo * 20) / 20; // round down to 0.05
        double hi = 1.0,
            width = (hi - lo) / bins;
        var plt = new Plot();
        void AddSeries(IReadOnlyList<double> scores, string label, Color color, double offset)
        {
            if (scores.Count == 0)
                return;
            var counts = new double[bins];
            foreach (var s in scores)
                counts[Math.Clamp((int)((s - lo) / width), 0, bins - 1)]++;
            var positions = Enumerable.Range(0, bins).Select(i => lo + (i + 0.5) * width + offset).ToArray();
            var fractions = counts.Select(c => c / scores.Count).ToArray();
            var bars = plt.Add.Bars(positions, fractions);
            bars.Color = color.WithAlpha(0.75);
            bars.LegendText = $"{label} (n={scores.Count})";
            foreach (var b in bars.Bars)
            {
                b.Size = width * 0.45;
                b.LineWidth = 0;
            }
        }
        AddSeries(clean, "clean", Colors.SteelBlue, -width * 0.22);
        AddSeries(poisoned, "poisoned", Colors.OrangeRed, width * 0.22);
        var line = plt.Add.VerticalLine(threshold);
        line.Color = Colors.Black;
        line.LinePattern = LinePattern.Dashed;
        line.LegendText = $"threshold {threshold:0.####}";
        plt.Title(title);
        plt.XLabel("detector confidence c(x) = max softmax probability");
        plt.YLabel("fraction of inputs");
        plt.Axes.SetLimitsX(lo, hi + width);
        plt.ShowLegend(Alignment.UpperCenter);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = path + ".tmp.png";
        plt.SavePng(tmp, 900, 500);
        File.Move(tmp, path, overwrite: true);
    }
}
