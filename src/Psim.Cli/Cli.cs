using System.CommandLine;
using Psim;

namespace Psim.Cli;

/// <summary>Shared plumbing of the commands: error handling, progress, thread settings.</summary>
internal static class Cli
{
    /// <summary>Runs a command body: user errors print one line on stderr and give exit code 1; Ctrl-C gives 130.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (PsimException e)
        {
            Console.Error.WriteLine($"psim: error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("psim: stopped.");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"psim: error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Progress and notes go to stderr so stdout stays clean for results.</summary>
    public static void Log(string message) => Console.Error.WriteLine(message);

    public static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "CPU threads for tensor work (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public static void SetThreads(int threads)
    {
        if (threads < 1) throw new PsimException("--threads must be at least 1");
        TorchSharp.torch.set_num_threads(threads);
    }
}
