namespace Psim.Data;

/// <summary>Examples tokenised once: token ids per row ([CLS] ... [SEP], truncated) and labels.</summary>
public sealed class EncodedSet
{
    public IReadOnlyList<int[]> Ids { get; }
    public IReadOnlyList<int> Labels { get; }
    public int Count => Ids.Count;

    public EncodedSet(IReadOnlyList<int[]> ids, IReadOnlyList<int> labels)
    {
        if (ids.Count != labels.Count)
            throw new ArgumentException("ids and labels differ in length");
        Ids = ids;
        Labels = labels;
    }

    public static EncodedSet From(TextEncoder encoder, IReadOnlyList<Example> rows) =>
        new(rows.Select(r => encoder.Encode(r.Text)).ToArray(), rows.Select(r => r.Label).ToArray());

    public IReadOnlyList<int> Lengths => Ids.Select(i => i.Length).ToArray();
}
