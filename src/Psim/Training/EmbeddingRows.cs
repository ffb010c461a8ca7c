using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>
/// Training single rows of an embedding matrix with everything else frozen, each row kept at its norm (EP's and
/// SOS's trigger rows, RAP's perturbation row): w ← w − η·g, then w ← w · ‖w₀‖ / ‖w‖.
/// </summary>
public static class EmbeddingRows
{
    /// <summary>The L2 norm of each row.</summary>
    public static double[] Norms(Tensor weight, IReadOnlyList<int> ids)
    {
        using var noGrad = no_grad();
        return ids.Select(id => (double)weight[id].norm().item<float>()).ToArray();
    }

    /// <summary>One step on one row: w ← w − step·g, rescaled to <paramref name="norm"/>.</summary>
    public static void Step(Tensor weight, Tensor gradRow, int id, double step, double norm)
    {
        using var noGrad = no_grad();
        var row = weight[id]; // [H], a view into the matrix
        row.sub_(gradRow * step);
        row.mul_(norm / row.norm().item<float>());
    }

    /// <summary>Runs <paramref name="body"/> with <paramref name="weight"/> the only parameter of <paramref name="module"/> that takes gradients; restores every flag after.</summary>
    public static T OnlyTrainable<T>(nn.Module module, Tensor weight, Func<T> body)
    {
        var trainable = module.parameters().Where(p => p.requires_grad).ToList();
        bool weightWas = weight.requires_grad;
        foreach (var p in trainable)
            p.requires_grad = false;
        weight.requires_grad = true;
        try
        {
            return body();
        }
        finally
        {
            weight.requires_grad = weightWas;
            foreach (var p in trainable)
                p.requires_grad = true;
        }
    }
}
