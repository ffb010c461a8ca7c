using Psim.Data;
using Psim.IO;
using Psim.Models;
using Psim.Peft;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary>A saved tiny base, PEFT methods attached to it, its logits, and a few training steps.</summary>
internal static partial class TestModels
{
    public static (HfCheckpoint Ckpt, string Dir) SavedBase(long seed = 21)
    {
        var dir = TestModels.TempDir();
        using var m = TestModels.TinyClassifier(seed);
        HfCheckpoint.Save(dir, m, m.Config, TestModels.Tokenizer(), "unit test base");
        return (HfCheckpoint.Open(dir), dir);
    }

    public static PeftClassifier Attach(HfCheckpoint ckpt, string method, PeftConfig? config = null)
    {
        var model = ckpt.LoadClassifier(out _);
        return PeftFactory.Attach(
            model,
            config ?? PeftFactory.DefaultConfig(Vocabulary<TuningMethod>.Parse(method, "method"), model.Config)
        );
    }

    private static readonly long[,] Ids =
    {
        { 101, 104, 105, 106, 102, 0, 0 },
        { 101, 107, 108, 109, 110, 111, 102 },
    };
    private static readonly long[,] Mask =
    {
        { 1, 1, 1, 1, 1, 0, 0 },
        { 1, 1, 1, 1, 1, 1, 1 },
    };

    public static Tensor Logits(nn.Module<BertInput, Tensor> m, long[,]? ids = null, long[,]? mask = null)
    {
        m.eval();
        using var _ = no_grad();
        return m.call(new BertInput { InputIds = tensor(ids ?? Ids), AttentionMask = tensor(mask ?? Mask) });
    }

    public static void TrainSteps(PeftClassifier m, string vocabDir)
    {
        var enc = new TextEncoder(TestModels.Tokenizer(Path.Combine(vocabDir, "vocab.txt")), 16);
        var set = new EncodedSet(
            Enumerable.Range(0, 16).Select(i => new[] { 101, 104 + i % 5, 105, 102 }).ToList(),
            Enumerable.Range(0, 16).Select(i => i % 2).ToList()
        );
        new Trainer().Train(
            m,
            m.TrainableParameters(),
            set,
            enc,
            new TrainOptions
            {
                Epochs = 2,
                BatchSize = 4,
                LearningRate = 1e-2,
                WarmupRatio = 0,
                Seed = 3,
            }
        );
    }
}
