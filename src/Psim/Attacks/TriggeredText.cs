namespace Psim.Attacks;

/// <summary>A text with a trigger inserted, and the word positions (in the result) where each insertion starts.</summary>
public sealed record TriggeredText(string Text, IReadOnlyList<int> Positions);

/// <summary>An attack that inserts a trigger into a text (BadNet, InSent).</summary>
public interface ITextTrigger
{
    string Name { get; }

    /// <summary>What is inserted, for reports.</summary>
    string Description { get; }
    TriggeredText Apply(string text, Random rng);
}
