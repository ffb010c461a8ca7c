using System.CommandLine;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary>The task folder a command reads (<c>--data</c>) and how its files are read; binds a <see cref="TaskInput"/>.</summary>
internal sealed class TaskFlags(string description)
{
    public Option<string> Data { get; } = new("--data") { Description = description, Required = true };
    private readonly ReadingFlags _reading = new();

    public void AddTo(Command c)
    {
        c.Options.Add(Data);
        _reading.AddTo(c);
    }

    public TaskInput Read(ParseResult r) => new() { DataDir = r.GetValue(Data)!, Reading = _reading.Read(r) };
}
