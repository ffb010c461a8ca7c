using Psim.Defense.Detection;

namespace Psim.Defense.Dan;

/// <summary>
/// Class-conditional Gaussians with one shared covariance, as DAN fits them on one layer's features: the
/// mean μ_c of each class, and the precision P of the class-centred features' covariance shrunk toward a
/// scaled identity (scikit-learn's ShrunkCovariance, which DAN's code uses): Σ = (1 − α)·S + α·(tr S / d)·I,
/// S the maximum-likelihood covariance. The distance of x is min_c (x − μ_c)ᵀ P (x − μ_c).
/// </summary>
public sealed class GaussianFeatureModel
{
    private readonly double[][] _means; // [classes][d]
    private readonly double[] _precision; // [d·d], row-major
    private readonly double[][] _pMeans; // P·μ_c
    private readonly double[] _mPm; // μ_cᵀ·P·μ_c
    public int Dimension { get; }

    private GaussianFeatureModel(double[][] means, double[] precision, int d)
    {
        (_means, _precision, Dimension) = (means, precision, d);
        _pMeans = means.Select(MatVec).ToArray();
        _mPm = means.Select((m, c) => Dot(m, _pMeans[c])).ToArray();
    }

    public IReadOnlyList<double[]> Means => _means;

    /// <summary>P[i, j] of the shared precision matrix.</summary>
    public double Precision(int i, int j) => _precision[i * Dimension + j];

    /// <param name="features">one row per input, all of one length d</param>
    /// <param name="labels">each row's class; every class present gets a mean</param>
    /// <param name="shrinkage">α in [0, 1]</param>
    public static GaussianFeatureModel Fit(IReadOnlyList<float[]> features, IReadOnlyList<int> labels, double shrinkage)
    {
        if (features.Count == 0 || features.Count != labels.Count)
            throw new ArgumentException("need one label per feature row, and rows");
        if (shrinkage is < 0 or > 1)
            throw new PsimException($"DAN shrinkage {shrinkage} must be in [0, 1]");
        int d = features[0].Length,
            n = features.Count;
        var classes = labels.Distinct().Order().ToArray();
        var means = classes.Select(c => Mean(features.Where((_, i) => labels[i] == c).ToList(), d)).ToArray();
        var centred = features.Select((x, i) => Minus(x, means[Array.IndexOf(classes, labels[i])])).ToList();
        var overall = new double[d]; // ≈ 0; ShrunkCovariance centres again
        foreach (var v in centred)
            for (int k = 0; k < d; k++)
                overall[k] += v[k] / n;
        var cov = new double[d * d];
        foreach (var v in centred)
        {
            for (int k = 0; k < d; k++)
                v[k] -= overall[k];
            for (int i = 0; i < d; i++)
            {
                double vi = v[i];
                for (int j = i; j < d; j++)
                    cov[i * d + j] += vi * v[j];
            }
        }
        double trace = 0;
        for (int i = 0; i < d; i++)
            trace += cov[i * d + i] / n;
        for (int i = 0; i < d; i++)
        for (int j = i; j < d; j++)
        {
            double s = (1 - shrinkage) * cov[i * d + j] / n + (i == j ? shrinkage * trace / d : 0);
            cov[i * d + j] = s;
            cov[j * d + i] = s;
        }
        return new GaussianFeatureModel(means, SymmetricInverse(cov, d), d);
    }

    /// <summary>min over classes of the squared Mahalanobis distance (x − μ_c)ᵀ P (x − μ_c) = xᵀPx − 2 μ_cᵀPx + μ_cᵀPμ_c.</summary>
    public double Distance(float[] x)
    {
        if (x.Length != Dimension)
            throw new ArgumentException($"feature of length {x.Length}, model of {Dimension}");
        var xd = x.Select(v => (double)v).ToArray();
        double xPx = Dot(xd, MatVec(xd));
        double best = double.PositiveInfinity;
        for (int c = 0; c < _means.Length; c++)
            best = Math.Min(best, xPx - 2 * Dot(xd, _pMeans[c]) + _mPm[c]);
        return best;
    }

    private double[] MatVec(double[] v)
    {
        int d = Dimension;
        var r = new double[d];
        for (int i = 0; i < d; i++)
            r[i] = Dot(_precision.AsSpan(i * d, d), v);
        return r;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
            s += a[i] * b[i];
        return s;
    }

    private static double[] Mean(IReadOnlyList<float[]> rows, int d)
    {
        var m = new double[d];
        foreach (var r in rows)
            for (int k = 0; k < d; k++)
                m[k] += r[k];
        for (int k = 0; k < d; k++)
            m[k] /= rows.Count;
        return m;
    }

    private static double[] Minus(float[] x, double[] m) => x.Select((v, k) => v - m[k]).ToArray();

    /// <summary>The inverse of a symmetric positive-definite matrix, by Cholesky factorisation (A = L·Lᵀ).</summary>
    private static double[] SymmetricInverse(double[] a, int d)
    {
        var l = new double[d * d];
        for (int j = 0; j < d; j++)
        {
            double s = a[j * d + j];
            for (int k = 0; k < j; k++)
                s -= l[j * d + k] * l[j * d + k];
            if (!(s > 0))
                throw new PsimException(
                    "DAN: the features' covariance is singular (constant features, or too few rows for their dimension); raise the shrinkage"
                );
            l[j * d + j] = Math.Sqrt(s);
            for (int i = j + 1; i < d; i++)
            {
                double t = a[i * d + j];
                for (int k = 0; k < j; k++)
                    t -= l[i * d + k] * l[j * d + k];
                l[i * d + j] = t / l[j * d + j];
            }
        }
        // solve L·Lᵀ·X = I column by column
        var inv = new double[d * d];
        var y = new double[d];
        for (int c = 0; c < d; c++)
        {
            for (int i = 0; i < d; i++)
            {
                double t = i == c ? 1 : 0;
                for (int k = 0; k < i; k++)
                    t -= l[i * d + k] * y[k];
                y[i] = t / l[i * d + i];
            }
            for (int i = d - 1; i >= 0; i--)
            {
                double t = y[i];
                for (int k = i + 1; k < d; k++)
                    t -= l[k * d + i] * inv[k * d + c];
                inv[i * d + c] = t / l[i * d + i];
            }
        }
        return inv;
    }
}
