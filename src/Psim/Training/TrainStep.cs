using Psim.Data;
using Psim.Models;
using Psim.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>
/// One optimisation step of a sequence classifier, in its three phases: forward with the objective
/// (cross-entropy unless an attack gives its own), backward, and the AdamW update (decoupled weight decay on every trainable parameter, optional
/// global-norm clipping). The <see cref="Trainer"/> runs it per batch; benchmarks time its phases.
/// Call inside the caller's dispose scope.
/// </summary>
public sealed class TrainStep : IDisposable
{
    private readonly nn.Module<BertInput, Tensor> _model;
    private readonly IReadOnlyList<Parameter> _trainable;
    private readonly double? _maxGradNorm;
    private readonly OptimizerHelper _opt;
    private readonly ITrainingObjective _objective;

    public TrainStep(
        nn.Module<BertInput, Tensor> model,
        IReadOnlyList<Parameter> trainable,
        double learningRate,
        double weightDecay,
        double? maxGradNorm,
        ITrainingObjective? objective = null
    )
    {
        _objective = objective ?? CrossEntropyObjective.Instance;
        if (trainable.Count == 0)
            throw new PsimException("nothing to train: no trainable parameters");
        _model = model;
        _trainable = trainable;
        _maxGradNorm = maxGradNorm;
        _opt = optim.AdamW(trainable, lr: learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: weightDecay);
    }

    /// <summary>The objective's loss on the batch (by default the mean cross-entropy of its logits [B, C] against <paramref name="labels"/> [B]).</summary>
    public Tensor Forward(EncodedBatch batch, Tensor labels) => _objective.Loss(_model, _trainable, batch, labels);

    /// <summary>Gradients of <paramref name="loss"/> into the trainable parameters (previous ones cleared).</summary>
    public void Backward(Tensor loss)
    {
        _opt.zero_grad();
        loss.backward();
    }

    /// <summary>
    /// Clips if asked, then one AdamW update at <paramref name="learningRate"/>; ends the step by freeing
    /// the native scalars it made (<see cref="FinalizerGate.SafePoint"/>).
    /// </summary>
    public void Update(double learningRate)
    {
        if (_maxGradNorm is double clip)
            nn.utils.clip_grad_norm_(_trainable, clip);
        foreach (var g in _opt.ParamGroups)
            g.LearningRate = learningRate;
        _opt.step();
        FinalizerGate.SafePoint();
    }

    /// <summary>All three phases; returns the batch loss.</summary>
    public float Run(EncodedBatch batch, Tensor labels, double learningRate)
    {
        var loss = Forward(batch, labels);
        float value = Finite.Require(loss.item<float>(), "training loss"); // before the update: a NaN loss must not reach the weights
        Backward(loss);
        Update(learningRate);
        return value;
    }

    public void Dispose() => _opt.Dispose();
}
