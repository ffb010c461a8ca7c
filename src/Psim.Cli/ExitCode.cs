namespace Psim.Cli;

/// <summary>What the <c>psim</c> process tells its caller.</summary>
internal enum ExitCode
{
    Ok = 0,

    /// <summary>A bad option, file or folder: one line on stderr says which and why.</summary>
    UserError = 1,

    /// <summary><c>--fail-on-flag</c>: the run succeeded and flagged at least one input.</summary>
    Flagged = 3,

    /// <summary>A bug in psim (sysexits' EX_SOFTWARE).</summary>
    Internal = 70,

    /// <summary>Stopped by Ctrl-C (128 + SIGINT); what was complete is kept.</summary>
    Interrupted = 130,
}
