using Psim.IO;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>Loads the model to evaluate: a saved classifier, or a base checkpoint with a PEFT adapter on it.</summary>
public static class VictimLoader
{
    public static nn.Module<BertInput, Tensor> Load(HfCheckpoint ckpt, string? adapterDir, Action<string>? log = null)
    {
        if (adapterDir is not null)
            return Peft.PeftAdapterFolder.Load(adapterDir, ckpt, w => log?.Invoke("psim: warning: " + w));
        if (!ckpt.HasClassifierHead)
            throw new PsimException($"{ckpt.Directory} has no classification head to evaluate; fine-tune it first or give --adapter");
        return ckpt.LoadClassifier(out _);
    }

    /// <summary>The number of classes of a loaded victim's head.</summary>
    public static int NumClasses(nn.Module<BertInput, Tensor> victim) => Peft.PeftClassifier.Inner(victim).Config.NumLabels;
}
