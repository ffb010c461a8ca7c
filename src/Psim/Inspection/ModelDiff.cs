using Psim.IO;
using static TorchSharp.torch;

namespace Psim.Inspection;

/// <summary>How one tensor of the first checkpoint compares with the second.</summary>
public enum TensorChange
{
    Same,
    Changed,
    ShapeDiffers,
    OnlyInFirst,
    OnlyInSecond,
}

/// <summary>
/// One tensor's comparison: for a changed tensor, how many of its elements and of its rows (along the
/// first dimension, e.g. the vocabulary rows of an embedding matrix) differ, the first rows that do, the
/// largest absolute difference, and how far the tensor travelled: ‖second − first‖ / ‖first‖ (L2 over all elements).
/// </summary>
public sealed record TensorDiff(
    string Name,
    TensorChange Change,
    long[]? Shape = null,
    long ChangedElements = 0,
    long ChangedRows = 0,
    IReadOnlyList<long>? FirstChangedRows = null,
    double MaxAbsDifference = 0,
    double RelativeChange = 0
)
{
    /// <summary>Σ (second − first)² and Σ first², for parts made of several tensors.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double SquaredDifference { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public double SquaredNorm { get; init; }
}

/// <summary>How far one part of the model travelled: the L2 norm of the difference over all its tensors, relative to the first checkpoint's norm.</summary>
public sealed record PartTravel(string Part, double RelativeChange, int Tensors);

/// <summary>
/// What <c>psim model diff</c> reports: every tensor of two checkpoints compared exactly, matched by name
/// (a <c>bert.</c> prefix aside, so an encoder-only folder compares with a classifier's). Shows where a
/// weight-poisoning attack put its backdoor: EP changes one embedding row and nothing else.
/// </summary>
public sealed record ModelDiff(string First, string Second, IReadOnlyList<TensorDiff> Tensors)
{
    public const int RowsListed = 20;

    public IEnumerable<TensorDiff> Differences() => Tensors.Where(t => t.Change != TensorChange.Same);

    /// <summary>
    /// How far each part travelled (embeddings, each encoder layer, pooler, classifier): ‖Δ‖ / ‖first‖ over the part's
    /// tensors present in both; which layers fine-tuning moves, and so where it can erase a backdoor.
    /// </summary>
    public IReadOnlyList<PartTravel> Travel() =>
        Tensors
            .Where(t => t.Change is TensorChange.Same or TensorChange.Changed)
            .GroupBy(t => Part(Key(t.Name)))
            .Select(g => new PartTravel(
                g.Key,
                g.Sum(t => t.SquaredNorm) > 0 ? Math.Sqrt(g.Sum(t => t.SquaredDifference) / g.Sum(t => t.SquaredNorm)) : 0,
                g.Count()
            ))
            .ToList();

    /// <summary>"embeddings", "encoder.layer.N", "pooler", "classifier", or the name's first segment.</summary>
    public static string Part(string key)
    {
        var parts = key.Split('.');
        return parts.Length >= 3 && parts[0] == "encoder" && parts[1] == "layer" ? $"encoder.layer.{parts[2]}" : parts[0];
    }

    public static ModelDiff Of(string first, string second, Action<string> log)
    {
        var a = ModelResolver.Open(first, log).Weights;
        var b = ModelResolver.Open(second, log).Weights;
        var byKey = b.Entries.Keys.ToDictionary(Key, k => k, StringComparer.Ordinal);
        var diffs = new List<TensorDiff>();
        foreach (var name in a.Entries.Keys.Order(StringComparer.Ordinal))
            diffs.Add(
                byKey.Remove(Key(name), out var other)
                    ? Compare(a, name, b, other)
                    : new TensorDiff(name, TensorChange.OnlyInFirst, a.Entries[name].Shape)
            );
        diffs.AddRange(
            byKey.Values.Order(StringComparer.Ordinal).Select(n => new TensorDiff(n, TensorChange.OnlyInSecond, b.Entries[n].Shape))
        );
        return new ModelDiff(first, second, diffs);
    }

    private static string Key(string name) => name.StartsWith("bert.", StringComparison.Ordinal) ? name[5..] : name;

    private static TensorDiff Compare(SafeTensorsFile a, string nameA, SafeTensorsFile b, string nameB)
    {
        var shape = a.Entries[nameA].Shape;
        if (!shape.SequenceEqual(b.Entries[nameB].Shape))
            return new TensorDiff(nameA, TensorChange.ShapeDiffers, shape);
        using var scope = NewDisposeScope();
        var x = a.Read(nameA).to(ScalarType.Float64);
        var y = b.Read(nameB).to(ScalarType.Float64);
        var differs = x.ne(y); // [shape]
        long elements = differs.count_nonzero().item<long>();
        if (elements == 0)
            return new TensorDiff(nameA, TensorChange.Same, shape) { SquaredNorm = x.pow(2).sum().item<double>() };
        var rows = (shape.Length == 0 ? differs.reshape(1, 1) : differs.reshape(shape[0], -1)).any(1); // [rows]
        var changed = nonzero(rows.reshape(-1)).reshape(-1);
        var first = changed.data<long>().Take(RowsListed).ToArray();
        double norm = x.norm().item<double>();
        return new TensorDiff(
            nameA,
            TensorChange.Changed,
            shape,
            elements,
            changed.numel(),
            first,
            (x - y).abs().max().item<double>(),
            norm > 0 ? (y - x).norm().item<double>() / norm : double.PositiveInfinity
        )
        {
            SquaredDifference = (y - x).pow(2).sum().item<double>(),
            SquaredNorm = norm * norm,
        };
    }
}
