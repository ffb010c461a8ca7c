using System.CommandLine;
using Psim.Study;

namespace Psim.Cli;

/// <summary><c>psim results</c>: the tables of finished runs, from their typed result files.</summary>
internal static class ResultsCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("folders")
        {
            Description =
                $"run folders, or folders holding them (searched {RunResults.SearchDepth} levels down; a study folder's steps included)",
            Arity = ArgumentArity.OneOrMore,
        };
        var cmd = new Command(
            "results",
            "Print the Markdown tables of the psim runs in some folders (poisoned models, victims, PSIM, baselines), read from their result files"
        )
        {
            folders,
        };
        cmd.SetAction(r =>
            Cli.Run(() =>
            {
                Console.Write(RunResults.Markdown(r.GetValue(folders)!));
                return ExitCode.Ok;
            })
        );
        return cmd;
    }
}
