using Psim.Defense.Detection;
using Psim.Runtime;

namespace Psim.Defense.Dan;

/// <summary>
/// DAN (Chen et al., Findings of EMNLP 2022, "Expose Backdoors on the Way"): poisoned inputs lie far from
/// clean ones in the victim's intermediate features. On clean dev (gold labels), every layer's [CLS] feature
/// gets class-conditional Gaussians with a shared covariance (<see cref="GaussianFeatureModel"/>), fitted on
/// one part; on the held-out part each layer's distance is normalised to zero mean and unit variance; an
/// input's score is the mean (or maximum) over layers of its normalised distances. No training.
/// </summary>
public sealed class DanDistance
{
    private readonly GaussianFeatureModel[] _layers;
    private readonly (double Mean, double Std)[] _norm;
    private readonly DanAggregation _aggregation;

    /// <summary>Scores of the held-out clean dev inputs (not used to fit the Gaussians).</summary>
    public IReadOnlyList<double> HeldOutScores { get; }
    public int FitRows { get; }
    public int LayerCount => _layers.Length;

    private DanDistance(
        GaussianFeatureModel[] layers,
        (double, double)[] norm,
        DanAggregation aggregation,
        IReadOnlyList<float[][]> heldOut,
        int fitRows
    )
    {
        (_layers, _norm, _aggregation, FitRows) = (layers, norm, aggregation, fitRows);
        HeldOutScores = heldOut.Select(Score).ToArray();
    }

    /// <param name="devFeatures">each clean dev input's feature per layer ([input][layer][d])</param>
    /// <param name="devLabels">their gold labels</param>
    public static DanDistance Fit(IReadOnlyList<float[][]> devFeatures, IReadOnlyList<int> devLabels, DanOptions o, long seed)
    {
        o.Validate();
        var order = Enumerable.Range(0, devFeatures.Count).ToArray();
        Seeds.Random(seed, "dan/held-out").Shuffle(order);
        int heldOut = (int)(o.HeldOutFraction * order.Length);
        if (heldOut < 2 || order.Length - heldOut < 2)
            throw new PsimException($"DAN needs clean dev rows to fit on and to hold out: {devFeatures.Count} rows, {heldOut} held out");
        var fit = order[..^heldOut];
        return Fit(
            fit.Select(i => devFeatures[i]).ToList(),
            fit.Select(i => devLabels[i]).ToList(),
            order[^heldOut..].Select(i => devFeatures[i]).ToList(),
            o
        );
    }

    /// <summary>DAN on a split made by the caller: Gaussians fitted on <paramref name="fitFeatures"/>, distances normalised on <paramref name="heldOut"/>.</summary>
    public static DanDistance Fit(
        IReadOnlyList<float[][]> fitFeatures,
        IReadOnlyList<int> fitLabels,
        IReadOnlyList<float[][]> heldOut,
        DanOptions o
    )
    {
        o.Validate();
        if (fitFeatures.Count < 2 || heldOut.Count < 2)
            throw new PsimException(
                $"DAN needs clean dev rows to fit on and to hold out: {fitFeatures.Count} to fit, {heldOut.Count} held out"
            );
        int layerCount = fitFeatures[0].Length;
        var layers = Enumerable
            .Range(0, layerCount)
            .Select(l => GaussianFeatureModel.Fit(fitFeatures.Select(f => f[l]).ToList(), fitLabels, o.Shrinkage))
            .ToArray();
        var norm = Enumerable
            .Range(0, layerCount)
            .Select(l =>
            {
                var d = heldOut.Select(f => layers[l].Distance(f[l])).ToArray();
                double mean = d.Average(),
                    std = Math.Sqrt(d.Average(x => (x - mean) * (x - mean)));
                if (!(std > 0))
                    throw new PsimException($"DAN: layer {l + 1}'s distances do not vary over the held-out clean dev rows");
                return (mean, std);
            })
            .ToArray();
        return new DanDistance(layers, norm, o.Aggregation, heldOut, fitFeatures.Count);
    }

    /// <summary>Each layer's normalised distance (d_l − mean_l) / std_l of one input's features.</summary>
    public double[] LayerScores(float[][] features) =>
        features.Select((f, l) => (_layers[l].Distance(f) - _norm[l].Mean) / _norm[l].Std).ToArray();

    /// <summary>The input's DAN score: the mean (or maximum) of its layer scores.</summary>
    public double Score(float[][] features)
    {
        var s = LayerScores(features);
        return _aggregation == DanAggregation.Max ? s.Max() : s.Average();
    }
}
