using ScottPlot;

namespace Psim.Charts;

/// <summary>A PNG of several detectors' ROC curves on one victim (poisoned inputs positive), with the chance diagonal.</summary>
public static class RocChart
{
    public static void Save(string path, IReadOnlyList<(string Label, double[] Fpr, double[] Tpr, double Auroc)> curves, string title)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < curves.Count; i++)
        {
            var line = plt.Add.ScatterLine(curves[i].Fpr, curves[i].Tpr);
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
            line.LegendText = $"{curves[i].Label} (AUROC {curves[i].Auroc:F3})";
        }
        var diag = plt.Add.Line(0, 0, 1, 1);
        diag.LinePattern = LinePattern.Dashed;
        diag.Color = Colors.Gray;
        plt.XLabel("false positive rate (clean inputs flagged)");
        plt.YLabel("true positive rate (triggered inputs flagged)");
        plt.Title(title);
        plt.Axes.SetLimits(0, 1, 0, 1.02);
        plt.ShowLegend(Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp.png";
        plt.SavePng(tmp, 800, 600);
        File.Move(tmp, path, overwrite: true);
    }
}
