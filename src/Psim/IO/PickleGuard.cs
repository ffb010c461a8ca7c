namespace Psim.IO;

/// <summary>
/// Refuses PyTorch pickle checkpoints. Unpickling runs arbitrary code chosen by whoever wrote the
/// file, and a model from a stranger is exactly the file psim must not trust.
/// </summary>
public static class PickleGuard
{
    private static readonly string[] PickleExtensions = [".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"];

    public static bool IsPickleName(string path) => PickleExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    public static PsimFormatException Refusal(string path) =>
        new(
            $"{path} is a PyTorch pickle checkpoint, and psim does not load pickle files: unpickling runs "
                + "whatever code the file's author put in it, so an untrusted model could take over this machine. "
                + "Convert it once, in a sandbox you trust, to safetensors, e.g. in Python: "
                + "`from transformers import AutoModel; AutoModel.from_pretrained(DIR).save_pretrained(OUT, safe_serialization=True)` "
                + "(or `safetensors.torch.save_file(torch.load(FILE, weights_only=True), 'model.safetensors')`), then point psim at the folder."
        );
}
