using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>transformers' <c>_init_weights</c> for BERT: N(0, initializer_range) weights, zero biases, LayerNorm (1, 0).</summary>
public static class BertInit
{
    public static void Apply(nn.Module module, double std)
    {
        using var _ = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Linear l:
                    nn.init.normal_(l.weight, 0, std);
                    if (l.bias is not null)
                        nn.init.zeros_(l.bias);
                    break;
                case Embedding e:
                    nn.init.normal_(e.weight, 0, std);
                    break;
                case LayerNorm n:
                    nn.init.ones_(n.weight);
                    nn.init.zeros_(n.bias);
                    break;
            }
        }
    }
}
