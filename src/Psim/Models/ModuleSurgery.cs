using TorchSharp;

namespace Psim.Models;

/// <summary>Replaces a registered child module under the same name.</summary>
internal static class ModuleSurgery
{
    public static void Replace(torch.nn.Module parent, string name, torch.nn.Module child)
    {
        parent.register_module(name, null!); // unregisters the old child
        parent.register_module(name, child);
    }
}
