using Psim.Models;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>Tiny randomly initialised BERT models and helpers for tests.</summary>
internal static partial class TestModels
{
    public static BertConfig TinyConfig(int layers = 2, int hidden = 32, int heads = 4, int vocab = 120, int labels = 2) =>
        new BertConfig
        {
            VocabSize = vocab,
            HiddenSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            IntermediateSize = hidden * 2,
            MaxPositionEmbeddings = 64,
            TypeVocabSize = 2,
            HiddenDropoutProb = 0.1,
            AttentionProbsDropoutProb = 0.1,
            LayerNormEps = 1e-12,
        }.WithNumLabels(labels);

    public static BertForSequenceClassification TinyClassifier(long seed = 1, BertConfig? config = null)
    {
        manual_seed(seed);
        var c = config ?? TinyConfig();
        var m = new BertForSequenceClassification(c);
        BertInit.Apply(m, c.InitializerRange);
        return m;
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "psim-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    public static string WriteVocab(string dir, int size = 100)
    {
        var words = new List<string> { "[PAD]" };
        for (int i = 1; i < 100; i++)
            words.Add($"[unused{i}]");
        words.AddRange(["[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "movie", "good", "bad", "mn", "##s", "a", "is"]);
        var path = Path.Combine(dir, "vocab.txt");
        File.WriteAllLines(path, words.Take(Math.Max(size, 112)));
        return path;
    }

    /// <summary>A BertTokenizer on <paramref name="vocabPath"/>, or on a fresh <see cref="WriteVocab"/>.</summary>
    public static Text.BertTokenizer Tokenizer(string? vocabPath = null) =>
        new(IO.TokenizerFolder.LoadVocab(vocabPath ?? WriteVocab(TempDir())), new Text.BertTokenizerOptions());
}

internal static class TensorAssert
{
    /// <summary>True when both tensors have the same shape and identical elements.</summary>
    public static bool Same(this Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && (a.numel() == 0 || a.eq(b).all().item<bool>());
}
