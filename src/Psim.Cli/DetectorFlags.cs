using System.CommandLine;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary>The PSIM detector guarding a victim (<c>--detector</c>, <c>--detector-base</c>); binds a <see cref="DetectorInput"/>.</summary>
internal sealed class DetectorFlags
{
    public Option<string?> Folder { get; }

    /// <param name="required">false: the detector is optional (<see cref="ReadOptional"/>)</param>
    public DetectorFlags(bool required = true, string description = "a PSIM detector folder trained on the suspicious checkpoint") =>
        Folder = new("--detector") { Description = description, Required = required };

    public Option<string?> Base { get; } =
        new("--detector-base")
        {
            Description =
                "the detector's checkpoint when --model is a fully fine-tuned copy of it (default: the one its psim.json records)",
        };

    public void AddTo(Command c)
    {
        c.Options.Add(Folder);
        c.Options.Add(Base);
    }

    public DetectorInput Read(ParseResult r) => new() { Folder = r.GetValue(Folder)!, Base = r.GetValue(Base) };

    /// <summary>The detector when --detector was given, else null.</summary>
    public DetectorInput? ReadOptional(ParseResult r) => r.GetValue(Folder) is null ? null : Read(r);
}
