using System.CommandLine;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary>The model under test (<c>--model</c>, <c>--adapter</c>, <c>--max-length</c>); binds a <see cref="VictimInput"/>.</summary>
internal sealed class VictimFlags
{
    public Option<string> Model { get; } =
        new("--model")
        {
            Description = "the victim classifier, or the base of --adapter: 'minilm' or a Hugging Face folder",
            Required = true,
        };
    public Option<string?> Adapter { get; } = new("--adapter") { Description = "the victim's PEFT adapter folder, trained on --model" };
    public Option<int> MaxLength { get; } = Cli.MaxLengthOption();

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Model, Adapter, MaxLength })
            c.Options.Add(o);
    }

    public VictimInput Read(ParseResult r) =>
        new()
        {
            Model = r.GetValue(Model)!,
            Adapter = r.GetValue(Adapter),
            MaxLength = r.GetValue(MaxLength),
        };
}
