namespace Psim.Data;

/// <summary>One labelled text. <see cref="Index"/> is the row's position in its file (0-based) unless the file gives an idx.</summary>
public sealed record Example(string Text, int Label, int Index);
