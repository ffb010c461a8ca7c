using Psim.Cli;

namespace Psim.Tests;

/// <summary>The psim command, run in-process with captured stdout and stderr.</summary>
internal static class TestCli
{
    public static (int Code, string Out, string Err) Psim(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try
        {
            return (PsimApp.Run(args), o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
