using Psim.Defense.Detection;

namespace Psim.Defense.Paraphrase;

/// <summary>
/// The paraphrasing defences (spec §4): the victim classifies a paraphrase of every input instead of the input, and
/// nothing is flagged. psim measures them on the released pre-paraphrased test files.
/// </summary>
public static class Paraphrasing
{
    /// <summary>Back-translation: <c>test_backtranslated</c>, <c>test_ATTACK_backtranslated</c>.</summary>
    public static readonly DefenseDescriptor Backtranslation = new()
    {
        Kind = DefenseKind.Backtranslation,
        ParaphrasedSuffix = "backtranslated",
    };

    /// <summary>SCPD, syntactic paraphrasing: <c>test_paraphrased</c>, <c>test_ATTACK_paraphrased</c>.</summary>
    public static readonly DefenseDescriptor Scpd = new() { Kind = DefenseKind.Scpd, ParaphrasedSuffix = "paraphrased" };
}
