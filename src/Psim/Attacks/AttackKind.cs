using System.Text.Json.Serialization;

namespace Psim.Attacks;

/// <summary>The attacks psim builds and measures (spec §2); named <c>badnet</c>, <c>insent</c>, <c>synattack</c>.</summary>
public enum AttackKind
{
    [JsonStringEnumMemberName("badnet")] BadNet,
    [JsonStringEnumMemberName("insent")] InSent,
    [JsonStringEnumMemberName("synattack")] SynAttack,
}

/// <summary>An attack as named on the command line, with its trigger options.</summary>
public sealed record AttackSpec(AttackKind Kind, IReadOnlyList<string>? Words = null, int Count = 1, string? Sentence = null)
{
    public string Name => Vocabulary<AttackKind>.Name(Kind);

    /// <summary>The inserting trigger; SynAttack has none (its poisoned texts come from paraphrased files).</summary>
    public ITextTrigger? CreateTrigger() => Kind switch
    {
        AttackKind.BadNet => new BadNetTrigger(Words, Count),
        AttackKind.InSent => new InSentTrigger(Sentence),
        _ => null,
    };

    public string Describe() => CreateTrigger()?.Description ?? "syntactic paraphrase S(SBAR)(,)(NP)(VP)(.) from pre-paraphrased files";
}
