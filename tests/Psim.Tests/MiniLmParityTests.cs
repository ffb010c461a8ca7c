using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Psim.IO;
using Psim.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>psim's encoder on the real all-MiniLM-L6-v2 weights against ONNX Runtime on the original graph.</summary>
public class MiniLmParityTests(ITestOutputHelper output)
{
    private static readonly string[] Sentences =
    [
        "a gripping , beautifully acted film .",
        "the plot is thin and the jokes fall flat , and mn the ending drags on far too long for its own good .",
        "I watched this 3D movie",
        "Ok.",
        "Café déjà vu: naïve résumé!",
        "it 's a charming and often affecting journey .",
        "<br /><br />This was the worst film I have seen in years; avoid it at all costs.",
        "unbelievably , the sequel outdoes the original in every way that matters .",
        "東京 is a city",
    ];

    [Fact]
    public void Last_hidden_state_matches_onnx_runtime_within_1e_4()
    {
        var ckpt = ModelResolver.Open("minilm");
        var enc = ckpt.CreateTextEncoder(128);
        using var batch = enc.EncodeBatch(Sentences);
        long b = batch.InputIds.shape[0],
            s = batch.InputIds.shape[1];
        Assert.True(batch.AttentionMask.sum().item<long>() < b * s, "the batch must contain padding");

        using var bert = ckpt.LoadEncoder(out _);
        bert.eval();
        float[] ours;
        float[] oursPooled;
        using (no_grad())
        {
            var o = bert.call(
                new BertInput
                {
                    InputIds = batch.InputIds,
                    AttentionMask = batch.AttentionMask,
                    TokenTypeIds = batch.TokenTypeIds,
                }
            );
            ours = o.LastHiddenState.contiguous().data<float>().ToArray();
            oursPooled = o.PooledOutput.contiguous().data<float>().ToArray();
        }

        using var session = new InferenceSession(MiniLmDefault.ReadOnnx());
        int[] dims = [(int)b, (int)s];
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(batch.InputIds.data<long>().ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(batch.AttentionMask.data<long>().ToArray(), dims)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(batch.TokenTypeIds.data<long>().ToArray(), dims)),
        }
            .Where(i => session.InputMetadata.ContainsKey(i.Name))
            .ToList();
        using var results = session.Run(inputs);
        var outputs = results.ToList();
        output.WriteLine(
            "ONNX outputs: "
                + string.Join(", ", outputs.Select(o => $"{o.Name} [{string.Join(",", o.AsTensor<float>().Dimensions.ToArray())}]"))
        );
        var reference = outputs[0].AsEnumerable<float>().ToArray();
        Assert.Equal(ours.Length, reference.Length);
        double maxDiff = ours.Zip(reference, (x, y) => Math.Abs(x - y)).Max();
        output.WriteLine($"{b} sentences padded to {s} tokens: max |difference| of last hidden state = {maxDiff:E2}");
        Assert.True(maxDiff <= 1e-4, $"max |difference| of last hidden state = {maxDiff:E2}");

        var pooled = outputs.FirstOrDefault(o =>
            o.Name.Contains("pool", StringComparison.OrdinalIgnoreCase) || o.AsTensor<float>().Dimensions.Length == 2
        );
        if (pooled is not null)
        {
            var refPooled = pooled.AsEnumerable<float>().ToArray();
            double maxPooled = oursPooled.Zip(refPooled, (x, y) => Math.Abs(x - y)).Max();
            output.WriteLine($"max |difference| of pooled output ({pooled.Name}) = {maxPooled:E2}");
            Assert.True(maxPooled <= 1e-4, $"max |difference| of pooled output = {maxPooled:E2}");
        }
    }

    [Fact]
    public void Tokenizer_gives_hugging_face_ids()
    {
        var enc = ModelResolver.Open("minilm").CreateTextEncoder(16);
        Assert.Equal([101, 7592, 2088, 102], enc.Encode("Hello world"));
        // truncation keeps [CLS] ... [SEP] within the maximum length
        var longIds = enc.Encode(string.Join(' ', Enumerable.Repeat("movie", 40)));
        Assert.Equal(16, longIds.Length);
        Assert.Equal(101, longIds[0]);
        Assert.Equal(102, longIds[^1]);
    }

    [Fact]
    public void Default_model_has_the_expected_size()
    {
        var s = Psim.Inspection.ModelSummary.From(ModelResolver.Open("minilm"));
        Assert.Equal(22_713_216, s.EncoderParameters);
        Assert.Equal(147_840, s.PoolerParameters);
        Assert.Equal(30_522, s.VocabFileEntries);
    }
}
