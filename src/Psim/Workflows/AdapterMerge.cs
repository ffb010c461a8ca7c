using Psim.IO;
using Psim.Peft;
using Psim.Peft.Lora;

namespace Psim.Workflows;

/// <summary>What <c>psim merge</c> does: a LoRA adapter folded into its base weights, written as a plain Hugging Face folder.</summary>
public static class AdapterMerge
{
    /// <returns>The full path of the written folder.</returns>
    public static string Run(string model, string adapterDir, string outDir, Action<string> log, bool force = false)
    {
        var ckpt = ModelResolver.Open(model, log);
        Files.OutputFolder.Claim(outDir, Files.OutputKind.Merge, [ckpt.Directory, adapterDir], force);
        var peft = PeftAdapterFolder.Load(adapterDir, ckpt, w => log("psim: warning: " + w));
        if (peft.Method is not LoraMethod lora)
            throw new PsimException($"only LoRA adapters can be merged into the weights; this one is {peft.Config.Method}");
        lora.MergeAndUnload(peft.Model);
        HfCheckpoint.Save(
            outDir,
            peft.Model,
            peft.Model.Config,
            ckpt.Tokenizer,
            $"psim merge: LoRA adapter {Path.GetFullPath(adapterDir)} merged into {ckpt.Origin}"
        );
        return Path.GetFullPath(outDir);
    }
}
