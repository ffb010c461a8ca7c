namespace Psim.Attacks;

/// <summary>
/// The insertion rule of the spec: split on whitespace into n words, pick i uniformly in [1, n-1],
/// insert before word i, join with single spaces, so the trigger is never first and never last.
/// A text of one word has no interior boundary; the trigger then goes after it (position 1).
/// </summary>
public static class WordInsertion
{
    public static (string Text, int Position) Insert(string text, string trigger, Random rng)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        int position = words.Count >= 2 ? rng.Next(1, words.Count) : words.Count; // Next(1, n) is uniform over [1, n-1]
        words.Insert(position, trigger);
        return (string.Join(' ', words), position);
    }
}

/// <summary>BadNet: insert a rare word (drawn from a list) <see cref="Count"/> times.</summary>
public sealed class BadNetTrigger : ITextTrigger
{
    public IReadOnlyList<string> Words { get; }
    public int Count { get; }
    public const int MaxInsertions = 1000;

    public BadNetTrigger(IReadOnlyList<string>? words = null, int count = 1)
    {
        Words = words is { Count: > 0 } ? words : ["mn"];
        if (Words.Any(w => string.IsNullOrWhiteSpace(w) || w.Any(char.IsWhiteSpace)))
            throw new PsimException("BadNet trigger words must be single words without spaces");
        if (count is < 1 or > MaxInsertions)
            throw new PsimException($"BadNet insertion count {count} must be in [1, {MaxInsertions}] (--insertions)");
        Count = count;
    }

    public string Name => "badnet";
    public string Description => $"rare word{(Words.Count > 1 ? "s" : "")} {string.Join("/", Words)} x{Count}";

    public TriggeredText Apply(string text, Random rng)
    {
        var positions = new List<int>();
        for (int k = 0; k < Count; k++)
        {
            var word = Words[Words.Count == 1 ? 0 : rng.Next(Words.Count)];
            (text, int pos) = WordInsertion.Insert(text, word, rng);
            for (int j = 0; j < positions.Count; j++)
                if (positions[j] >= pos)
                    positions[j]++;
            positions.Add(pos);
        }
        return new TriggeredText(text, positions);
    }
}

/// <summary>InSent: insert a fixed sentence as one unit at a random interior word boundary.</summary>
public sealed class InSentTrigger : ITextTrigger
{
    public string Sentence { get; }

    public InSentTrigger(string? sentence = null)
    {
        Sentence = string.IsNullOrWhiteSpace(sentence) ? "I watched this 3D movie" : sentence.Trim();
    }

    public string Name => "insent";
    public string Description => $"sentence \"{Sentence}\"";

    public TriggeredText Apply(string text, Random rng)
    {
        var (result, pos) = WordInsertion.Insert(text, Sentence, rng);
        return new TriggeredText(result, [pos]);
    }
}
