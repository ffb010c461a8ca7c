namespace Psim.Text;

/// <summary>
/// A word-level n-gram language model with interpolated Kneser-Ney smoothing (absolute discount D),
/// trained on clean texts. The lowest order interpolates with a uniform distribution over the
/// vocabulary (training words, &lt;unk&gt; and &lt;/s&gt;), so every conditional distribution sums to one
/// and unseen words get a small, non-zero probability. Stands in for ONION's GPT-2, which cannot be
/// had here.
/// </summary>
public sealed class KneserNeyLanguageModel
{
    public const string Bos = "<s>",
        Eos = "</s>",
        Unk = "<unk>";

    private readonly int _order;
    private readonly double _d;
    private readonly HashSet<string> _vocab;

    // per order k (1..N): counts of k-grams (highest order: raw counts; lower orders: continuation counts)
    private readonly Dictionary<string, double>[] _counts;

    // per order k: for each (k-1)-gram history, the total count and the number of distinct followers
    private readonly Dictionary<string, (double Total, int Types)>[] _histories;

    public int Order => _order;
    public IReadOnlyCollection<string> Vocabulary => _vocab;

    public KneserNeyLanguageModel(IEnumerable<string> texts, int order = 3, double discount = 0.75)
    {
        if (order < 1)
            throw new ArgumentOutOfRangeException(nameof(order));
        if (discount is <= 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(discount));
        _order = order;
        _d = discount;
        var sentences = texts.Select(Tokenize).Where(s => s.Count > 0).ToList();
        _vocab = sentences.SelectMany(s => s).ToHashSet(StringComparer.Ordinal);
        _vocab.Add(Unk);
        _vocab.Add(Eos);
        _counts = Enumerable.Range(0, order + 1).Select(_ => new Dictionary<string, double>(StringComparer.Ordinal)).ToArray();
        _histories = Enumerable.Range(0, order + 1).Select(_ => new Dictionary<string, (double, int)>(StringComparer.Ordinal)).ToArray();

        // highest order: raw counts
        var highest = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var s in sentences)
        {
            var padded = Pad(s);
            for (int i = order - 1; i < padded.Count; i++)
                Increment(highest, Key(padded, i - order + 1, order));
        }
        _counts[order] = highest;
        // lower orders: continuation counts N1+(• w_{i-k+1..i}), the number of distinct words before the k-gram
        for (int k = order - 1; k >= 1; k--)
        {
            var cont = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var key in _counts[k + 1].Keys)
            {
                var suffix = key[(key.IndexOf('\u0001') + 1)..];
                Increment(cont, suffix);
            }
            _counts[k] = cont;
        }
        for (int k = 1; k <= order; k++)
        {
            var h = _histories[k];
            foreach (var (key, c) in _counts[k])
            {
                int cut = key.LastIndexOf('\u0001');
                var hist = cut < 0 ? "" : key[..cut];
                var prev = h.GetValueOrDefault(hist);
                h[hist] = (prev.Item1 + c, prev.Item2 + 1);
            }
        }
    }

    public static List<string> Tokenize(string text) =>
        text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();

    private List<string> Pad(IReadOnlyList<string> words)
    {
        var p = new List<string>(words.Count + _order);
        for (int i = 0; i < _order - 1; i++)
            p.Add(Bos);
        p.AddRange(words.Select(w => _vocab.Contains(w) ? w : Unk));
        p.Add(Eos);
        return p;
    }

    private static string Key(IReadOnlyList<string> words, int start, int length) => string.Join('\u0001', words.Skip(start).Take(length));

    private static void Increment(Dictionary<string, double> d, string key) => d[key] = d.GetValueOrDefault(key) + 1;

    /// <summary>P(word | history) with history the preceding words (only the last order-1 are used; &lt;s&gt; pads the start).</summary>
    public double Probability(string word, IReadOnlyList<string> history)
    {
        var w = _vocab.Contains(word) && word != Bos ? word : Unk;
        var ctx = new List<string>();
        for (int i = 0; i < _order - 1 - history.Count; i++)
            ctx.Add(Bos);
        ctx.AddRange(history.Skip(Math.Max(0, history.Count - (_order - 1))).Select(h => h == Bos || _vocab.Contains(h) ? h : Unk));
        return Interpolated(w, ctx, _order);
    }

    private double Interpolated(string w, List<string> ctx, int k)
    {
        if (k == 0)
            return 1.0 / _vocab.Count;
        var hist = string.Join('\u0001', ctx.Skip(ctx.Count - (k - 1)));
        var lower = Interpolated(w, ctx, k - 1);
        if (!_histories[k].TryGetValue(hist, out var h) || h.Total == 0)
            return lower; // unseen history: back off entirely
        var key = k == 1 ? w : hist + '\u0001' + w;
        double c = _counts[k].GetValueOrDefault(key);
        return Math.Max(c - _d, 0) / h.Total + _d * h.Types / h.Total * lower;
    }

    /// <summary>Perplexity of a word sequence, the end-of-sentence token included.</summary>
    public double Perplexity(IReadOnlyList<string> words) => Math.Exp(-LogProbability(words) / (words.Count + 1));

    /// <summary>The natural log of the sequence's probability, the end-of-sentence token included (words.Count + 1 predictions).</summary>
    public double LogProbability(IReadOnlyList<string> words)
    {
        double logSum = 0;
        var history = new List<string>();
        foreach (var w in words.Append(Eos))
        {
            logSum += Math.Log(Probability(w, history));
            history.Add(w);
        }
        return logSum;
    }

    /// <summary>Whether a word (as <see cref="Tokenize"/> gives it) was seen in training.</summary>
    public bool Knows(string word) => _vocab.Contains(word);
}
