using System.CommandLine;
using Psim.Attacks;

namespace Psim.Cli;

/// <summary>Which rows get poisoned (<c>--mode</c>, <c>--poison-count</c>, <c>--poison-rate</c>); binds <see cref="PoisonOptions"/>.</summary>
internal sealed class PoisoningFlags(string what)
{
    private readonly Option<PoisonMode?> _mode = VocabularyOption.Optional<PoisonMode>(
        "--mode",
        "clean-label (poisoned rows keep the target label) or dirty-label (non-target rows relabelled) [default: the attack's: clean-label, as the reference; dirty-label for ep, as its paper]"
    );
    private readonly Option<int?> _count = new("--poison-count")
    {
        Description = $"how many rows of {what} to poison (default {Defaults.PoisonCount}, the reference's)",
    };
    private readonly Option<double?> _rate = new("--poison-rate") { Description = $"fraction of {what} to poison, instead of a count" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { _mode, _count, _rate })
            c.Options.Add(o);
    }

    /// <summary>The options for <paramref name="attack"/>'s rows (its default mode unless --mode is given).</summary>
    public PoisonOptions Read(ParseResult r, AttackKind attack) =>
        new()
        {
            Mode = r.GetValue(_mode) ?? attack.DefaultPoisonMode(),
            Count = r.GetValue(_rate) is null ? r.GetValue(_count) ?? Defaults.PoisonCount : null,
            Rate = r.GetValue(_rate),
        };
}
