using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Tests;

public class BertModelTests
{
    private static BertOutputs Run(
        BertModel bert,
        Tensor ids,
        Tensor? mask = null,
        IReadOnlyList<LayerPrefix>? prefix = null,
        Tensor? positions = null
    )
    {
        bert.eval();
        using var _ = no_grad();
        return bert.call(
            new BertInput
            {
                InputIds = ids,
                AttentionMask = mask,
                Prefix = prefix,
                PositionIds = positions,
            }
        );
    }

    [Fact]
    public void Padding_does_not_change_real_tokens()
    {
        using var m = TestModels.TinyClassifier(7);
        var bert = m.Bert;
        var alone = Run(
            bert,
            tensor(
                new long[,]
                {
                    { 101, 104, 105, 106, 102 },
                }
            )
        );
        var ids = tensor(
            new long[,]
            {
                { 101, 104, 105, 106, 102, 0, 0, 0, 0 },
                { 101, 107, 108, 109, 110, 111, 104, 105, 102 },
            }
        );
        var mask = tensor(
            new long[,]
            {
                { 1, 1, 1, 1, 1, 0, 0, 0, 0 },
                { 1, 1, 1, 1, 1, 1, 1, 1, 1 },
            }
        );
        var padded = Run(bert, ids, mask);
        var diff = (padded.LastHiddenState[0, ..5] - alone.LastHiddenState[0]).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"padding changed real tokens by {diff}");
        var pooledDiff = (padded.PooledOutput[0] - alone.PooledOutput[0]).abs().max().item<float>();
        Assert.True(pooledDiff < 1e-5);
    }

    [Fact]
    public void Inputs_embeds_path_equals_ids_path()
    {
        using var m = TestModels.TinyClassifier(8);
        var bert = m.Bert;
        bert.eval();
        var ids = tensor(
            new long[,]
            {
                { 101, 104, 105, 102 },
            }
        );
        var byIds = Run(bert, ids);
        using var _ = no_grad();
        var byEmbeds = bert.call(new BertInput { InputsEmbeds = bert.Embeddings.Embed(ids) });
        Assert.True(byIds.LastHiddenState.allclose(byEmbeds.LastHiddenState, 0, 1e-6));
    }

    [Fact]
    public void Masked_prefix_is_invisible_and_unmasked_prefix_is_used()
    {
        using var m = TestModels.TinyClassifier(9);
        var bert = m.Bert;
        var c = bert.Config;
        var ids = tensor(
            new long[,]
            {
                { 101, 104, 105, 102 },
            }
        );
        const int p = 3;
        var prefix = Enumerable
            .Range(0, c.NumHiddenLayers)
            .Select(_ => new LayerPrefix(randn(1, c.NumAttentionHeads, p, c.HeadDim), randn(1, c.NumAttentionHeads, p, c.HeadDim)))
            .ToList();
        var plain = Run(bert, ids);
        var positions = arange(0, 4, ScalarType.Int64).unsqueeze(0);
        var hidden = Run(
            bert,
            ids,
            tensor(
                new long[,]
                {
                    { 0, 0, 0, 1, 1, 1, 1 },
                }
            ),
            prefix,
            positions
        );
        Assert.True(plain.LastHiddenState.allclose(hidden.LastHiddenState, 0, 1e-5));
        var used = Run(
            bert,
            ids,
            tensor(
                new long[,]
                {
                    { 1, 1, 1, 1, 1, 1, 1 },
                }
            ),
            prefix,
            positions
        );
        Assert.False(plain.LastHiddenState.allclose(used.LastHiddenState, 0, 1e-3));
        // default positions shift by the prefix length, as transformers does with past key values
        var shifted = Run(
            bert,
            ids,
            tensor(
                new long[,]
                {
                    { 0, 0, 0, 1, 1, 1, 1 },
                }
            ),
            prefix
        );
        var byExplicit = Run(
            bert,
            ids,
            tensor(
                new long[,]
                {
                    { 0, 0, 0, 1, 1, 1, 1 },
                }
            ),
            prefix,
            arange(p, p + 4, ScalarType.Int64).unsqueeze(0)
        );
        Assert.True(shifted.LastHiddenState.allclose(byExplicit.LastHiddenState, 0, 1e-6));
        Assert.False(shifted.LastHiddenState.allclose(plain.LastHiddenState, 0, 1e-3));
    }

    private sealed class Wrapped : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> base_layer;
        public double Scale { get; set; } = 1.0;

        public Wrapped(nn.Module<Tensor, Tensor> inner)
            : base("Wrapped")
        {
            base_layer = inner;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => base_layer.call(x) * Scale;
    }

    [Fact]
    public void Linear_children_can_be_replaced()
    {
        using var m = TestModels.TinyClassifier(10);
        var ids = tensor(
            new long[,]
            {
                { 101, 104, 105, 102 },
            }
        );
        var before = Run(m.Bert, ids).LastHiddenState;
        var hosts = m.Bert.LinearHosts().ToList();
        Assert.Equal(4 * m.Config.NumHiddenLayers + 1, hosts.Count); // four blocks per layer, and the pooler
        Assert.Equal("pooler", hosts[^1].Path);
        var (path, host) = hosts.First(h => h.Path == "encoder.layer.0.attention.self");
        var wrapped = new Wrapped(host.GetLinear("value"));
        host.SetLinear("value", wrapped);
        Assert.Contains("bert.encoder.layer.0.attention.self.value.base_layer.weight", m.state_dict().Keys);
        Assert.DoesNotContain("bert.encoder.layer.0.attention.self.value.weight", m.state_dict().Keys);
        Assert.True(before.allclose(Run(m.Bert, ids).LastHiddenState, 0, 1e-6));
        wrapped.Scale = 0.0;
        Assert.False(before.allclose(Run(m.Bert, ids).LastHiddenState, 0, 1e-3));
        Assert.Throws<ArgumentException>(() => host.SetLinear("nope", wrapped));
    }

    [Fact]
    public void Dropout_is_active_only_in_training()
    {
        using var m = TestModels.TinyClassifier(11);
        var ids = tensor(
            new long[,]
            {
                { 101, 104, 105, 102 },
            }
        );
        m.train();
        var a = m.call(new BertInput { InputIds = ids });
        var b = m.call(new BertInput { InputIds = ids });
        Assert.False(a.allclose(b, 0, 1e-7));
        m.eval();
        using var _ = no_grad();
        Assert.True(m.call(new BertInput { InputIds = ids }).Same(m.call(new BertInput { InputIds = ids })));
    }
}
