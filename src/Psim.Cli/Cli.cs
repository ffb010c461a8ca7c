using System.CommandLine;
using Psim;

namespace Psim.Cli;

/// <summary>Shared plumbing of the commands: error handling, progress, thread settings.</summary>
internal static class Cli
{
    /// <summary>Runs a command body: user errors print one line on stderr; a stop prints what was kept.</summary>
    public static int Run(Func<ExitCode> body)
    {
        try
        {
            return (int)body();
        }
        catch (PsimException e)
        {
            Console.Error.WriteLine($"psim: error: {e.Message}");
            return (int)ExitCode.UserError;
        }
        catch (PsimInterruptedException e)
        {
            Console.Error.WriteLine($"psim: {e.Message}");
            return (int)ExitCode.Interrupted;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("psim: stopped.");
            return (int)ExitCode.Interrupted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"psim: error: {e.Message}");
            return (int)ExitCode.UserError;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("PSIM_DEBUG") != "1")
        {
            Console.Error.WriteLine($"psim: internal error ({e.GetType().Name}): {e.Message}");
            Console.Error.WriteLine("psim: this is a bug in psim; run again with PSIM_DEBUG=1 for the stack trace, and report it.");
            return (int)ExitCode.Internal;
        }
    }

    /// <summary>
    /// Runs a long command with a cancellation token: the first Ctrl-C asks it to stop at the next
    /// batch boundary (keeping what is complete), a second one ends the process.
    /// </summary>
    public static int RunCancellable(Func<CancellationToken, ExitCode> body)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            if (cts.IsCancellationRequested)
                return; // second Ctrl-C: let the process end
            e.Cancel = true;
            Console.Error.WriteLine("\npsim: stopping at the next batch boundary (Ctrl-C again to abort) ...");
            cts.Cancel();
        };
        Console.CancelKeyPress += handler;
        Log($"psim: {Runtime.ProcessSetup.Describe()}");
        try
        {
            return Run(() => body(cts.Token));
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }

    /// <summary>Lines piped on standard input; an error when nothing is piped (a terminal would wait for ever).</summary>
    public static IEnumerable<string> ReadStdinLines()
    {
        if (!Console.IsInputRedirected)
            throw new PsimException("no input texts (give them as arguments, with --input FILE, or pipe them on stdin)");
        foreach (var line in Files.StrictText.ReadLines(Console.In, "stdin"))
            yield return line;
    }

    /// <summary>Progress and notes go to stderr so stdout stays clean for results.</summary>
    public static void Log(string message) => Console.Error.WriteLine(message);

    public static Option<int> MaxLengthOption(string description = "truncate inputs to this many tokens") =>
        new("--max-length") { Description = description, DefaultValueFactory = _ => Defaults.MaxLength };

    public static Option<long> SeedOption(string description) =>
        new("--seed") { Description = description, DefaultValueFactory = _ => Defaults.Seed };

    /// <summary>--out: the folder (or file) a command writes.</summary>
    public static Option<string> OutOption(string description) => new("--out") { Description = description, Required = true };

    /// <summary>--force, declared once on the root command: lets a command replace a psim output of another kind, or an existing output file.</summary>
    public static readonly Option<bool> Force = new("--force")
    {
        Description =
            "replace a psim output folder of another kind, or an existing output file (never a folder psim did not write, never an input)",
        Recursive = true,
    };

    /// <summary>--threads, declared once on the root command and inherited by every command.</summary>
    public static readonly Option<int> Threads = new("--threads")
    {
        Description = "CPU threads for tensor work (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
        Recursive = true,
    };

    /// <summary>Sets LibTorch's thread count from --threads (commands that do tensor work call it first).</summary>
    public static void ApplyThreads(ParseResult r) => SetThreads(r.GetValue(Threads));

    private static void SetThreads(int threads)
    {
        if (threads < 1 || threads > Environment.ProcessorCount)
            throw new PsimException(
                $"--threads {threads} is out of range: this machine has {Environment.ProcessorCount} cores (1 .. {Environment.ProcessorCount})"
            );
        Runtime.CpuThreads.Set(threads);
    }
}
