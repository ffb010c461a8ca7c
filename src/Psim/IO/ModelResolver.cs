namespace Psim.IO;

/// <summary>
/// Turns a --model argument into an opened checkpoint: the word <c>minilm</c> always means the
/// built-in model (write <c>./minilm</c> for a folder of that name); anything else is a folder.
/// </summary>
public static class ModelResolver
{
    public static HfCheckpoint Open(string model, Action<string>? log = null)
    {
        if (string.Equals(model, MiniLmDefault.Name, StringComparison.OrdinalIgnoreCase))
            return HfCheckpoint.Open(MiniLmDefault.EnsureConverted(log));
        return HfCheckpoint.Open(model);
    }
}
