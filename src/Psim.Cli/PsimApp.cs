using System.CommandLine;

namespace Psim.Cli;

/// <summary>The <c>psim</c> command tree. Public so tests can run the CLI in-process.</summary>
public static class PsimApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "psim: build weight-poisoned BERT checkpoints, fine-tune them with full fine-tuning or PEFT, " +
            "and defend with PSIM, the Poisoned Sample Identification Module.");
        root.Subcommands.Add(ModelCommands.Create());
        return root;
    }

    public static int Run(string[] args) => Build().Parse(args).Invoke();
}
