namespace Psim.Attacks;

/// <summary>
/// A combinatorial trigger (LWP, SOS): several words, each inserted at its own random interior position,
/// that fire only together. <see cref="Size"/> words are drawn from <see cref="Words"/> per text (all of
/// them when <see cref="Size"/> is their number).
/// </summary>
public sealed class CombinationTrigger : ITextTrigger
{
    public IReadOnlyList<string> Words { get; }
    public int Size { get; }

    public CombinationTrigger(IReadOnlyList<string> words, int size)
    {
        if (words.Count < 2 || words.Any(w => string.IsNullOrWhiteSpace(w) || w.Any(char.IsWhiteSpace)))
            throw new PsimException("a combinatorial trigger needs at least two single words");
        if (words.Distinct().Count() != words.Count)
            throw new PsimException($"combinatorial trigger words repeat: {string.Join(" ", words)}");
        if (size < 2 || size > words.Count)
            throw new PsimException($"a combination of {size} words cannot be drawn from {words.Count}");
        (Words, Size) = (words, size);
    }

    public string Name => "combination";
    public string Description =>
        Size == Words.Count ? $"words {string.Join(" + ", Words)} together" : $"{Size} of the words {string.Join("/", Words)} together";

    public TriggeredText Apply(string text, Random rng) => Insert(text, Draw(rng), rng);

    /// <summary><see cref="Size"/> distinct words, in random order.</summary>
    public IReadOnlyList<string> Draw(Random rng) => Words.OrderBy(_ => rng.Next()).Take(Size).ToList();

    /// <summary>Inserts <paramref name="words"/> one after the other, each at a random interior position of the text so far.</summary>
    public static TriggeredText Insert(string text, IReadOnlyList<string> words, Random rng)
    {
        var positions = new List<int>();
        foreach (var w in words)
        {
            (text, int pos) = WordInsertion.Insert(text, w, rng);
            for (int j = 0; j < positions.Count; j++)
                if (positions[j] >= pos)
                    positions[j]++;
            positions.Add(pos);
        }
        return new TriggeredText(text, positions);
    }
}
