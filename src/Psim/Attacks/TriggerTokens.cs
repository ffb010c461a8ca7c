using Psim.Data;

namespace Psim.Attacks;

/// <summary>The vocabulary rows of trigger words, for the attacks that write into them (EP, embedding surgery).</summary>
public static class TriggerTokens
{
    /// <summary>Each trigger's wordpiece id; <paramref name="attack"/> names the attack in the error when a trigger is not exactly one known wordpiece.</summary>
    public static IReadOnlyList<int> Ids(TextEncoder encoder, IReadOnlyList<string> words, string attack) =>
        words
            .Select(w =>
            {
                var ids = encoder.Tokenizer.Encode(w);
                if (ids.Length != 1 || ids[0] == encoder.Tokenizer.UnkId)
                    throw new PsimException(
                        $"{attack} trigger '{w}' is {ids.Length} wordpiece(s){(ids.Contains(encoder.Tokenizer.UnkId) ? " unknown to the vocabulary" : "")}; {attack} writes one embedding row per trigger, so each trigger must be a single wordpiece of the vocabulary"
                    );
                return ids[0];
            })
            .Distinct()
            .ToList();
}
