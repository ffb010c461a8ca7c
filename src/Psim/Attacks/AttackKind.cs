namespace Psim.Attacks;

public enum AttackKind { BadNet, InSent, SynAttack }

/// <summary>An attack as named on the command line, with its trigger options.</summary>
public sealed record AttackSpec(AttackKind Kind, IReadOnlyList<string>? Words = null, int Count = 1, string? Sentence = null)
{
    public string Name => Kind.ToString().ToLowerInvariant();

    public static AttackKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "badnet" => AttackKind.BadNet,
        "insent" => AttackKind.InSent,
        "synattack" or "syntactic" => AttackKind.SynAttack,
        _ => throw new PsimException($"unknown attack '{name}' (badnet, insent, synattack)"),
    };

    /// <summary>The inserting trigger; SynAttack has none (its poisoned texts come from paraphrased files).</summary>
    public ITextTrigger? CreateTrigger() => Kind switch
    {
        AttackKind.BadNet => new BadNetTrigger(Words, Count),
        AttackKind.InSent => new InSentTrigger(Sentence),
        _ => null,
    };

    public string Describe() => CreateTrigger()?.Description ?? "syntactic paraphrase S(SBAR)(,)(NP)(VP)(.) from pre-paraphrased files";
}
