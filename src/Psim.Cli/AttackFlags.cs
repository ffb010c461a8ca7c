using System.CommandLine;
using Psim.Attacks;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary>How an attack is named and configured on the command line; binds an <see cref="AttackInput"/>.</summary>
internal sealed class AttackFlags
{
    public Option<AttackKind?> Attack { get; }
    public Option<string[]> Trigger { get; } =
        new("--trigger")
        {
            Description =
                "the rare word(s) of a word-inserting attack (default: BadNet mn; EP mb; RIPPLe(S) cf tq mn bb mb, one drawn per insertion; LWP cf bb ak mn, combined; SOS friends weekend store, together)",
            AllowMultipleArgumentsPerToken = true,
        };
    public Option<int> Insertions { get; } =
        new("--insertions") { Description = "BadNet, EP: how many times to insert a trigger word", DefaultValueFactory = _ => 1 };
    public Option<string?> Sentence { get; } =
        new("--sentence")
        {
            Description =
                "InSent, SOS: the sentence to insert (default: InSent \"I watched this 3D movie\"; SOS \"I have bought it from a store with my friends last weekend\")",
        };
    public Option<int> Target { get; } = new("--target") { Description = "the attack's target label", DefaultValueFactory = _ => 0 };
    public Option<string?> PoisonedTest { get; } =
        new("--poisoned-test") { Description = "SynAttack: paraphrased ASR test file (default: test_synattack.json in the data folder)" };

    private readonly bool _poisonedTest;

    /// <param name="required">whether the command needs an attack</param>
    /// <param name="poisonedTest">whether the command measures ASR, and so takes <c>--poisoned-test</c></param>
    public AttackFlags(bool required, bool poisonedTest = true)
    {
        _poisonedTest = poisonedTest;
        Attack = VocabularyOption.Optional<AttackKind>("--attack", "the attack", required);
    }

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Attack, Trigger, Insertions, Sentence, Target })
            c.Options.Add(o);
        if (_poisonedTest)
            c.Options.Add(PoisonedTest);
    }

    /// <summary>The attack, or null when <c>--attack</c> is not given.</summary>
    public AttackInput? Read(ParseResult r) =>
        r.GetValue(Attack) is { } kind
            ? new AttackInput
            {
                Spec = new AttackSpec(kind, r.GetValue(Trigger), r.GetValue(Insertions), r.GetValue(Sentence)),
                TargetLabel = r.GetValue(Target),
                PoisonedTestFile = _poisonedTest ? r.GetValue(PoisonedTest) : null,
            }
            : null;

    /// <summary>The attack of a command that requires one.</summary>
    public AttackInput ReadRequired(ParseResult r) => Read(r) ?? throw new InvalidOperationException("--attack is required by the parser");
}
