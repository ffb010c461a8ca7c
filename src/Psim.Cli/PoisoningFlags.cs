using System.CommandLine;
using Psim.Attacks;

namespace Psim.Cli;

/// <summary>Which rows get poisoned (<c>--mode</c>, <c>--poison-count</c>, <c>--poison-rate</c>); binds <see cref="PoisonOptions"/>.</summary>
internal sealed class PoisoningFlags(string what)
{
    private readonly VocabularyOption.Defaulted<PoisonMode> _mode = VocabularyOption.Create("--mode",
        "clean-label (poisoned rows keep the target label) or dirty-label (non-target rows relabelled)", PoisonMode.CleanLabel);
    private readonly Option<int?> _count = new("--poison-count") { Description = $"how many rows of {what} to poison (default {Defaults.PoisonCount}, the reference's)" };
    private readonly Option<double?> _rate = new("--poison-rate") { Description = $"fraction of {what} to poison, instead of a count" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { _mode.Option, _count, _rate }) c.Options.Add(o);
    }

    public PoisonOptions Read(ParseResult r) => new()
    {
        Mode = _mode.Read(r),
        Count = r.GetValue(_rate) is null ? r.GetValue(_count) ?? Defaults.PoisonCount : null,
        Rate = r.GetValue(_rate),
    };
}
