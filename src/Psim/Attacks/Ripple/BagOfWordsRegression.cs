using Psim.Data;
using Psim.Text;

namespace Psim.Attacks.Ripple;

/// <summary>
/// How indicative each wordpiece is of one class, as embedding surgery measures it (Kurita et al., ACL
/// 2020, §3.2, and their code): TF-IDF features of each row's wordpieces (scikit-learn's defaults: raw
/// counts, smoothed idf ln((1+n)/(1+df))+1, rows scaled to unit length), and an L2-regularised logistic
/// regression (C = 1, with intercept) of "this class" against the rest, solved by accelerated gradient
/// descent. A word's weight in it is its importance.
/// </summary>
public static class BagOfWordsRegression
{
    public const int Iterations = 1000;

    /// <summary>The <paramref name="n"/> wordpiece ids with the largest weight for <paramref name="target"/>, most indicative first; <paramref name="exclude"/> (special tokens, the triggers) never count.</summary>
    public static IReadOnlyList<int> MostIndicative(
        IReadOnlyList<Example> rows,
        BertTokenizer tokenizer,
        int target,
        int n,
        IReadOnlySet<int> exclude
    )
    {
        var docs = rows.Select(r => tokenizer.Encode(r.Text).Where(id => !exclude.Contains(id)).ToArray()).ToList();
        var (features, columns) = TfIdf(docs);
        var labels = rows.Select(r => r.Label == target ? 1.0 : 0.0).ToArray();
        if (labels.All(y => y == 1) || labels.All(y => y == 0))
            throw new PsimException($"embedding surgery needs rows of class {target} and of other classes");
        var weights = Fit(features, labels, columns.Count);
        return Enumerable
            .Range(0, columns.Count)
            .OrderByDescending(j => weights[j])
            .ThenBy(j => columns[j])
            .Take(n)
            .Select(j => columns[j])
            .ToList();
    }

    /// <summary>Each document as sparse (column, value) pairs with unit L2 norm, and the wordpiece id of each column.</summary>
    public static (List<(int Col, double Val)[]> Rows, List<int> Columns) TfIdf(IReadOnlyList<int[]> docs)
    {
        var columns = docs.SelectMany(d => d).Distinct().Order().ToList();
        var colOf = columns.Select((id, j) => (id, j)).ToDictionary(t => t.id, t => t.j);
        var df = new int[columns.Count];
        foreach (var d in docs)
        foreach (var id in d.Distinct())
            df[colOf[id]]++;
        var idf = df.Select(f => Math.Log((1.0 + docs.Count) / (1.0 + f)) + 1).ToArray();
        var rows = docs.Select(d =>
            {
                var tf = d.GroupBy(id => colOf[id]).Select(g => (Col: g.Key, Val: g.Count() * idf[g.Key])).OrderBy(t => t.Col).ToArray();
                double norm = Math.Sqrt(tf.Sum(t => t.Val * t.Val));
                return norm == 0 ? tf : tf.Select(t => (t.Col, t.Val / norm)).ToArray();
            })
            .ToList();
        return (rows, columns);
    }

    /// <summary>
    /// Minimises (1/n)·Σ log(1 + exp(−s_i(w·x_i + b))) + ‖w‖²/(2n) (scikit-learn's objective with C = 1,
    /// divided by n) by Nesterov's accelerated gradient; returns w (the intercept b is fitted but not returned).
    /// </summary>
    public static double[] Fit(IReadOnlyList<(int Col, double Val)[]> x, IReadOnlyList<double> y, int dims)
    {
        int n = x.Count;
        double maxNorm = x.Max(r => r.Sum(t => t.Val * t.Val)) + 1; // the intercept is a feature of value 1
        double step = 1 / (0.25 * maxNorm + 1.0 / n); // 1 / Lipschitz bound of the gradient
        var w = new double[dims + 1];
        var prev = new double[dims + 1];
        var look = new double[dims + 1];
        for (int t = 1; t <= Iterations; t++)
        {
            double momentum = (t - 1.0) / (t + 2.0);
            for (int j = 0; j <= dims; j++)
                look[j] = w[j] + momentum * (w[j] - prev[j]);
            var grad = Gradient(x, y, look, dims);
            Array.Copy(w, prev, w.Length);
            for (int j = 0; j <= dims; j++)
                w[j] = look[j] - step * grad[j];
        }
        return w[..dims];
    }

    private static double[] Gradient(IReadOnlyList<(int Col, double Val)[]> x, IReadOnlyList<double> y, double[] w, int dims)
    {
        int n = x.Count;
        var g = new double[dims + 1];
        for (int i = 0; i < n; i++)
        {
            double z = w[dims];
            foreach (var (c, v) in x[i])
                z += w[c] * v;
            double residual = 1 / (1 + Math.Exp(-z)) - y[i]; // σ(z) − y
            foreach (var (c, v) in x[i])
                g[c] += residual * v / n;
            g[dims] += residual / n;
        }
        for (int j = 0; j < dims; j++)
            g[j] += w[j] / n; // the L2 term (not on the intercept)
        return g;
    }
}
