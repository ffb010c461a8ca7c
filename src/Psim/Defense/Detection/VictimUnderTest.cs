using Psim.Data;
using Psim.Models;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Defense.Detection;

/// <summary>The victim a detector guards, with its encoder and the label an attacker drives inputs to (the protected label).</summary>
public sealed record VictimUnderTest(nn.Module<BertInput, Tensor> Model, TextEncoder Encoder, int TargetLabel)
{
    public float[][] Probabilities(IReadOnlyList<string> texts, string label, CancellationToken ct) =>
        Predictor.Probabilities(Model, Encoder, texts.Select(Encoder.Encode).ToList(), Defaults.EvalBatchSize, label, ct);

    /// <summary>Each encoded input's class probabilities and every layer's [CLS] feature, from one pass of the victim (what DAN reads).</summary>
    public ClsFeatures[] Features(IReadOnlyList<int[]> ids, string? label, CancellationToken ct) =>
        LayerFeatures.Extract(Model, Encoder, ids, Defaults.EvalBatchSize, label, ct);
}
