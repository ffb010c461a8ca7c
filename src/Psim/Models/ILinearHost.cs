using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>
/// A block whose linear children (query, key, value, dense) can be swapped for another module
/// of the same signature, e.g. a linear layer wrapped with a low-rank update. The model code
/// knows nothing of what the replacement does.
/// </summary>
public interface ILinearHost
{
    /// <summary>The names of the replaceable children, as in the state-dict keys.</summary>
    IReadOnlyList<string> LinearNames { get; }
    nn.Module<Tensor, Tensor> GetLinear(string name);
    void SetLinear(string name, nn.Module<Tensor, Tensor> module);
}
