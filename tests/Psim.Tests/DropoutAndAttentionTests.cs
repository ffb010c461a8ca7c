using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>psim's parallel dropout, the fused and spelled-out attention paths, and the pooled-only last layer.</summary>
public class DropoutAndAttentionTests
{
    [Fact]
    public void Dropout_keeps_each_element_with_probability_1_minus_p_and_scales_it()
    {
        const double p = 0.1;
        manual_seed(5);
        using var mask = ParallelDropout.Mask([1_000_003], p); // odd length: the scalar tail runs too
        var v = mask.data<float>().ToArray();
        float scale = (float)(1 / (1 - p));
        Assert.All(v, x => Assert.True(x == 0f || x == scale, $"mask value {x}"));
        double n = v.Length,
            sd = Math.Sqrt(n * p * (1 - p));
        double dropped = v.Count(x => x == 0f);
        Assert.InRange(dropped, n * p - 5 * sd, n * p + 5 * sd);
        // both 32-bit halves of each hash, and neighbours, behave: even and odd positions drop at the same rate, independently
        double even = v.Where((x, i) => i % 2 == 0).Count(x => x == 0f) / Math.Ceiling(n / 2);
        double odd = v.Where((x, i) => i % 2 == 1).Count(x => x == 0f) / Math.Floor(n / 2);
        Assert.InRange(even, p - 0.003, p + 0.003);
        Assert.InRange(odd, p - 0.003, p + 0.003);
        double both = Enumerable.Range(0, v.Length - 1).Count(i => v[i] == 0f && v[i + 1] == 0f) / (n - 1);
        Assert.InRange(both, p * p - 0.002, p * p + 0.002);
    }

    [Fact]
    public void Dropout_masks_follow_the_seed_and_not_the_size_or_thread_count()
    {
        Tensor Draw(long seed, long n)
        {
            manual_seed(seed);
            return ParallelDropout.Mask([n], 0.3);
        }
        using var big = Draw(9, 300_000); // several parallel chunks, vector path
        using var small = Draw(9, 1_001); // one chunk
        using var again = Draw(9, 300_000);
        using var other = Draw(10, 300_000);
        Assert.True(big.narrow(0, 0, 1_001).allclose(small, 0, 0), "element i's draw depends only on the key and i");
        Assert.True(big.allclose(again, 0, 0), "same seed, same mask");
        Assert.False(big.allclose(other, 0, 0), "another seed, another mask");
    }

    [Fact]
    public void Dropout_is_the_identity_in_evaluation_and_at_p_0()
    {
        manual_seed(2);
        using var x = randn(4, 7, 5);
        using var d = new ParallelDropout(0.5);
        d.eval();
        Assert.True(d.call(x).allclose(x, 0, 0));
        using var none = new ParallelDropout(0.0);
        none.train();
        Assert.True(none.call(x).allclose(x, 0, 0));
        d.train();
        Assert.False(d.call(x).allclose(x, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelDropout(1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ParallelDropout(double.NaN));
    }

    private static (BertSelfAttention Attn, Tensor Hidden, Tensor Mask) Attention(double dropout)
    {
        var c = TestModels.TinyConfig() with { AttentionProbsDropoutProb = dropout };
        manual_seed(21);
        var attn = new BertSelfAttention(c);
        var hidden = randn(3, 9, c.HiddenSize);
        var keep = tensor(
            new long[,]
            {
                { 1, 1, 1, 1, 1, 1, 1, 1, 1 },
                { 1, 1, 1, 1, 1, 0, 0, 0, 0 },
                { 1, 1, 0, 0, 0, 0, 0, 0, 0 },
            }
        );
        var mask = (1 - keep.to(ScalarType.Float32)).unsqueeze(1).unsqueeze(2) * finfo(ScalarType.Float32).min; // [B, 1, 1, S]
        return (attn, hidden, mask);
    }

    /// <summary>softmax(q kᵀ/√d + mask) v written out from the module's own weights, with an optional probability mask.</summary>
    private static Tensor Unfused(BertSelfAttention a, Tensor hidden, Tensor mask, Func<Tensor, Tensor>? dropout = null)
    {
        long b = hidden.shape[0],
            s = hidden.shape[1],
            heads = 4,
            d = hidden.shape[2] / heads;
        Tensor Heads(string name) => a.GetLinear(name).call(hidden).view(b, s, heads, d).transpose(1, 2);
        var probs = softmax(matmul(Heads("query"), Heads("key").transpose(-1, -2)) / Math.Sqrt(d) + mask, -1);
        return matmul(dropout is null ? probs : dropout(probs), Heads("value")).transpose(1, 2).reshape(b, s, -1);
    }

    [Fact]
    public void Fused_attention_agrees_with_the_unfused_formula_in_evaluation()
    {
        var (attn, hidden, mask) = Attention(0.1);
        attn.eval();
        using var _ = no_grad();
        var fused = attn.forward(hidden, mask, null);
        var unfused = Unfused(attn, hidden, mask);
        double diff = (fused - unfused).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"fused and unfused attention differ by {diff}");
    }

    [Fact]
    public void Training_attention_applies_the_drawn_dropout_mask_to_the_probabilities()
    {
        var (attn, hidden, mask) = Attention(0.25);
        attn.train();
        manual_seed(77);
        var trained = attn.forward(hidden, mask, null);
        manual_seed(77); // the mask is the only draw: the same mask again
        var expected = Unfused(attn, hidden, mask, probs => probs * ParallelDropout.Mask(probs.shape, 0.25));
        double diff = (trained - expected).abs().max().item<float>();
        Assert.True(diff < 1e-5, $"training attention differs from softmax(...)·mask·v by {diff}");
        var without = Unfused(attn, hidden, mask);
        Assert.True((trained - without).abs().max().item<float>() > 1e-3, "dropout was applied");
    }

    [Fact]
    public void Without_attention_dropout_training_takes_the_fused_path_with_the_same_values_and_gradients()
    {
        var (attn, hidden, mask) = Attention(0.0);
        attn.train();
        hidden.requires_grad_();
        var fused = attn.forward(hidden, mask, null);
        var gFused = autograd.grad([fused.square().sum()], [hidden])[0];
        var unfused = Unfused(attn, hidden, mask);
        var gUnfused = autograd.grad([unfused.square().sum()], [hidden])[0];
        Assert.True((fused - unfused).abs().max().item<float>() < 1e-5);
        double g = (gFused - gUnfused).abs().max().item<float>(),
            scale = gUnfused.abs().max().item<float>();
        Assert.True(g / scale < 1e-5, $"gradients differ by {g} (scale {scale})");
    }

    [Fact]
    public void Pooled_only_classification_equals_the_full_computation_in_outputs_and_gradients()
    {
        var c = TestModels.TinyConfig(layers: 3) with { HiddenDropoutProb = 0, AttentionProbsDropoutProb = 0 };
        using var model = TestModels.TinyClassifier(31, c);
        model.train();
        var ids = tensor(
            new long[,]
            {
                { 101, 104, 105, 106, 102, 0 },
                { 101, 107, 108, 109, 110, 102 },
            }
        );
        var keep = tensor(
            new long[,]
            {
                { 1, 1, 1, 1, 1, 0 },
                { 1, 1, 1, 1, 1, 1 },
            }
        );
        var input = new BertInput { InputIds = ids, AttentionMask = keep };
        Tensor[] Grads(Tensor loss)
        {
            model.zero_grad();
            loss.backward();
            return model.parameters().Select(p => p.grad!.clone()).ToArray();
        }

        var logits = model.call(input); // pooled only: the last layer computes position 0 alone
        var g1 = Grads(logits.square().sum());
        var full = model.Bert.call(input); // every position
        Assert.Equal(ids.shape[1], full.LastHiddenState.shape[1]);
        var reference = model.Classifier.call(full.PooledOutput);
        var g2 = Grads(reference.square().sum());

        Assert.True((logits - reference).abs().max().item<float>() < 1e-5);
        for (int i = 0; i < g1.Length; i++)
        {
            double d = (g1[i] - g2[i]).abs().max().item<float>(),
                s = g2[i].abs().max().item<float>();
            Assert.True(d <= 1e-5 * Math.Max(1, s), $"parameter {i}: gradients differ by {d} (scale {s})");
        }
        var pooledOnly = model.Bert.call(input with { PooledOnly = true });
        Assert.Equal(1, pooledOnly.LastHiddenState.shape[1]);
    }
}
