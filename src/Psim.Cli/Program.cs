return Psim.Cli.PsimApp.Run(args);
