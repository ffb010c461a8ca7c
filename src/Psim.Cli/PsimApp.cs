using System.CommandLine;
using System.CommandLine.Help;

namespace Psim.Cli;

/// <summary>The <c>psim</c> command tree. Public so tests can run the CLI in-process.</summary>
public static class PsimApp
{
    public static Command Build()
    {
        // A named root, so that help and errors say "psim" whatever the executable is called.
        var root = new Command(
            "psim",
            "psim: build weight-poisoned BERT checkpoints, fine-tune them with full fine-tuning or PEFT, "
                + "and defend with PSIM, the Poisoned Sample Identification Module."
        );
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption());
        root.Options.Add(Cli.Threads);
        root.Options.Add(Cli.Force);
        root.Subcommands.Add(ModelCommands.Create());
        root.Subcommands.Add(StudyCommands.Poison());
        root.Subcommands.Add(StudyCommands.Finetune());
        root.Subcommands.Add(StudyCommands.Evaluate());
        root.Subcommands.Add(StudyCommands.Merge());
        root.Subcommands.Add(DefenseCommands.Detector());
        root.Subcommands.Add(DefenseCommands.Scan());
        root.Subcommands.Add(AuditCommand.Create());
        root.Subcommands.Add(RepairCommand.Create());
        root.Subcommands.Add(DefenseCommands.Predict());
        root.Subcommands.Add(DefenseCommands.Defend());
        root.Subcommands.Add(ReproduceCommand.Create());
        root.Subcommands.Add(ReproduceCommand.Study());
        root.Subcommands.Add(ResultsCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(DataCommands.Create());
        OptionGuards.Apply(root);
        return root;
    }

    public static int Run(string[] args)
    {
        UseInvariantNumbers();
        Runtime.ProcessSetup.Configure(); // before any tensor work: the BLAS kernels and the native heap LibTorch uses
        return Build().Parse(args).Invoke();
    }

    /// <summary>
    /// Numbers print the same on every machine (a decimal point, whatever the locale), and
    /// percentages as "5%" rather than the invariant culture's "5 %".
    /// </summary>
    private static void UseInvariantNumbers()
    {
        var c = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        c.NumberFormat.PercentPositivePattern = 1; // n%
        c.NumberFormat.PercentNegativePattern = 1; // -n%
        System.Globalization.CultureInfo.CurrentCulture = c;
        System.Globalization.CultureInfo.DefaultThreadCurrentCulture = c;
    }
}
