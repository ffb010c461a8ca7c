using System.Diagnostics;
using Psim.IO;
using Psim.Models;
using static TorchSharp.torch;

namespace Psim.Bench;

/// <summary>Where a MiniLM inference batch's time goes: the whole forward against its dense GEMMs alone.</summary>
internal static class InferProbe
{
    public static void Run(int batch, int length, int reps = 50)
    {
        var ckpt = ModelResolver.Open("minilm");
        using var model = ckpt.LoadClassifier(out _, numLabels: 2);
        model.eval();
        using var noGrad = no_grad();
        manual_seed(1);
        using var ids = randint(1000, 30000, [batch, length], ScalarType.Int64);
        using var mask = ones(batch, length, ScalarType.Int64);
        double Time(Action a)
        {
            for (int i = 0; i < 5; i++)
                a();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++)
                a();
            return sw.Elapsed.TotalMilliseconds / reps;
        }
        double full = Time(() =>
        {
            using var s = NewDisposeScope();
            _ = model.call(new BertInput { InputIds = ids, AttentionMask = mask }).data<float>()[0];
        });
        int h = 384,
            inter = 1536;
        using var x = randn(batch * length, h);
        using var x4 = randn(batch * length, inter);
        using var wq = randn(h, h);
        using var wi = randn(inter, h);
        using var wo = randn(h, inter);
        using var b = randn(h);
        using var bi = randn(inter);
        double gemms = Time(() =>
        {
            using var s = NewDisposeScope();
            for (int l = 0; l < 6; l++)
            {
                for (int k = 0; k < 4; k++)
                    nn.functional.linear(x, wq, b);
                nn.functional.linear(x, wi, bi);
                nn.functional.linear(x4, wo, b);
            }
        });
        using var wqkv = randn(3 * h, h);
        using var bqkv = randn(3 * h);
        double qkv3 = Time(() =>
        {
            using var s = NewDisposeScope();
            for (int l = 0; l < 6; l++)
            for (int k = 0; k < 3; k++)
                nn.functional.linear(x, wq, b);
        });
        double qkv1 = Time(() =>
        {
            using var s = NewDisposeScope();
            for (int l = 0; l < 6; l++)
                nn.functional.linear(x, wqkv, bqkv);
        });
        Console.WriteLine($"[{batch}, {length}]: q, k, v as 3 GEMMs {qkv3:F2} ms, as one {qkv1:F2} ms");
        using var xb = randn(batch, length, h);
        double ln = Time(() =>
        {
            using var s = NewDisposeScope();
            for (int l = 0; l < 12; l++)
                nn.functional.layer_norm(xb, [h]);
        });
        using var xg = randn(batch, length, inter);
        double gelu = Time(() =>
        {
            using var s = NewDisposeScope();
            for (int l = 0; l < 6; l++)
                nn.functional.gelu(xg);
        });
        using var q = randn(batch, 12, length, 32);
        using var am = zeros(batch, 1, 1, length);
        double att = Time(() =>
        {
            using var s = NewDisposeScope();
            for (int l = 0; l < 6; l++)
                nn.functional.scaled_dot_product_attention(q, q, q, am);
        });
        double attNoMask = Time(() =>
        {
            using var s = NewDisposeScope();
            for (int l = 0; l < 6; l++)
                nn.functional.scaled_dot_product_attention(q, q, q);
        });
        Console.WriteLine(
            $"[{batch}, {length}]: forward {full:F2} ms; 36 dense GEMMs {gemms:F2} ms; 12 LayerNorms {ln:F2}; 6 GELUs {gelu:F2}; 6 attentions {att:F2} (no mask {attNoMask:F2})"
        );
    }
}
