using System.CommandLine;
using Psim.Data;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary>
/// The task folder a command reads (<c>--data</c>), row caps for quick runs (<c>--train-rows</c>, <c>--eval-rows</c>:
/// a sample drawn with the command's <c>--seed</c>, the one a study draws for that seed) and how its files are read;
/// binds a <see cref="TaskInput"/>.
/// </summary>
internal sealed class TaskFlags(string description)
{
    public Option<string> Data { get; } = new("--data") { Description = description, Required = true };
    private readonly Option<int?> _trainRows = new("--train-rows")
    {
        Description = "use a random sample of this many training rows (drawn with --seed; default: all)",
    };
    private readonly Option<int?> _evalRows = new("--eval-rows")
    {
        Description =
            "use a random sample of this many rows of every other file: dev, test, attack test sets (drawn with --seed; default: all)",
    };
    private readonly ReadingFlags _reading = new();

    public void AddTo(Command c)
    {
        c.Options.Add(Data);
        c.Options.Add(_trainRows);
        c.Options.Add(_evalRows);
        _reading.AddTo(c);
    }

    public TaskInput Read(ParseResult r)
    {
        int? train = Positive(r, _trainRows),
            eval = Positive(r, _evalRows);
        return new()
        {
            DataDir = r.GetValue(Data)!,
            Reading = _reading.Read(r),
            Limits = train is null && eval is null ? null : new RowLimits(train, eval, Seed(r)),
        };
    }

    private static int? Positive(ParseResult r, Option<int?> o) =>
        r.GetValue(o) is int n && n < 1 ? throw new PsimException($"{o.Name} {n}: must be at least 1") : r.GetValue(o);

    /// <summary>The command's own --seed (the run's one seed), or the default for a command without one.</summary>
    private static long Seed(ParseResult r) =>
        r.CommandResult.Command.Options.OfType<Option<long>>().FirstOrDefault(o => o.Name == "--seed") is { } seed
            ? r.GetValue(seed)
            : Defaults.Seed;
}
