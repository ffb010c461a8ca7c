namespace Psim;

/// <summary>
/// An error caused by the user's input (a file, a folder, an option), with a message that says
/// what is wrong and what to do. The CLI prints the message and exits with code 1, without a stack trace.
/// </summary>
public class PsimException : Exception
{
    public PsimException(string message)
        : base(message) { }

    public PsimException(string message, Exception inner)
        : base(message, inner) { }
}

/// <summary>A model or data file that is malformed or unsafe to read.</summary>
public sealed class PsimFormatException : PsimException
{
    public PsimFormatException(string message)
        : base(message) { }

    public PsimFormatException(string message, Exception inner)
        : base(message, inner) { }
}

/// <summary>
/// The user stopped a run (Ctrl-C) at a batch boundary; the message says what was kept. The CLI prints it
/// and exits with its "interrupted" code; a run folder being written records status "interrupted".
/// </summary>
public sealed class PsimInterruptedException : OperationCanceledException
{
    public PsimInterruptedException(string message)
        : base(message) { }
}
