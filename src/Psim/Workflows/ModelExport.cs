using Psim.IO;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>What <c>psim model export</c> does: a checkpoint (the built-in model included) written as a Hugging Face folder.</summary>
public static class ModelExport
{
    /// <returns>The full path of the written folder.</returns>
    public static string Run(string model, string outDir, Action<string> log, bool force = false)
    {
        var ckpt = ModelResolver.Open(model, log);
        Files.OutputFolder.Claim(outDir, Files.OutputKind.Export, [ckpt.Directory], force);
        using var scope = NewDisposeScope();
        if (ckpt.HasClassifierHead)
        {
            using var m = ckpt.LoadClassifier(out _);
            HfCheckpoint.Save(outDir, m, m.Config, ckpt.Tokenizer, ckpt.Origin);
        }
        else
        {
            using var m = ckpt.LoadEncoder(out _);
            HfCheckpoint.Save(outDir, m, ckpt.Config, ckpt.Tokenizer, ckpt.Origin);
        }
        return Path.GetFullPath(outDir);
    }
}
