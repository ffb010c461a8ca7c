using static TorchSharp.torch;

namespace Psim.Peft;

internal static class PeftState
{
    public static void CopyInto(IReadOnlyDictionary<string, Tensor> state, string key, Tensor target, string source)
    {
        if (!state.TryGetValue(key, out var t))
            throw new PsimFormatException($"{source}: missing tensor {key}");
        if (!t.shape.SequenceEqual(target.shape))
            throw new PsimFormatException(
                $"{source}: {key} has shape [{string.Join(",", t.shape)}], the model needs [{string.Join(",", target.shape)}]"
            );
        using (no_grad())
            target.copy_(t.to(target.dtype));
    }
}
