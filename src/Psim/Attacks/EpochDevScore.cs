using Psim.Data;
using Psim.Evaluation;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Attacks;

/// <summary>
/// Which epoch <c>psim poison</c> keeps. <see cref="PoisonedDev"/>: accuracy on the dev copy with the
/// trigger on every target-label row (the reference). <see cref="CleanDev"/>: clean dev accuracy.
/// <see cref="Balanced"/>: the mean of clean dev accuracy and dev ASR (a stealthy, effective backdoor).
/// </summary>
public enum EpochSelection
{
    PoisonedDev,
    CleanDev,
    Balanced,
}

/// <summary>
/// How <c>psim poison</c> and <c>psim finetune</c> score an epoch on dev: accuracy on the selection copy (poisoning: triggered target
/// rows, the reference), clean dev accuracy and dev ASR, combined as <see cref="EpochSelection"/> says.
/// </summary>
internal sealed class EpochDevScore
{
    private readonly nn.Module<BertInput, Tensor> _model;
    private readonly TextEncoder _encoder;
    private readonly EncodedSet _cleanDev,
        _selectionDev;
    private readonly EncodedSet? _asrDev;
    private readonly int _target;
    private readonly EpochSelection _selectBy;
    private readonly int _batch;
    private readonly CancellationToken _ct;

    /// <param name="selectionDev">the triggered dev copy (null: select on clean dev)</param>
    public EpochDevScore(
        nn.Module<BertInput, Tensor> model,
        TextEncoder encoder,
        IReadOnlyList<Example> dev,
        IReadOnlyList<Example>? selectionDev,
        ITextTrigger? trigger,
        int target,
        EpochSelection selectBy,
        TrainOptions o,
        CancellationToken ct
    )
    {
        (_model, _encoder, _target, _selectBy, _batch, _ct) = (model, encoder, target, selectBy, o.EvalBatchSize, ct);
        _cleanDev = EncodedSet.From(encoder, dev);
        _selectionDev = selectionDev is null ? _cleanDev : EncodedSet.From(encoder, selectionDev);
        if (trigger is not null)
        {
            var triggered = Poisoning.TriggerWhere(dev, trigger, e => e.Label != target, Seeds.Random(o.Seed, "poison/dev-asr"));
            _asrDev = EncodedSet.From(encoder, triggered.Where(p => p.Poisoned).Select(p => p.Example).ToList());
        }
    }

    public (double Score, IReadOnlyDictionary<string, double> Details) At(int epoch)
    {
        var details = new Dictionary<string, double>();
        double selection = Accuracy(_model, _encoder, _selectionDev, _batch, _ct);
        double clean = ReferenceEquals(_selectionDev, _cleanDev) ? selection : Accuracy(_model, _encoder, _cleanDev, _batch, _ct);
        details["dev_selection_accuracy"] = selection;
        details["dev_clean_accuracy"] = clean;
        double? asr = _asrDev is null ? null : Rate(_model, _encoder, _asrDev, _target, _batch, _ct);
        if (asr is double a)
            details["dev_attack_success_rate"] = a;
        double score = _selectBy switch
        {
            EpochSelection.CleanDev => clean,
            EpochSelection.Balanced => asr is double b ? (clean + b) / 2 : clean,
            _ => selection,
        };
        return (score, details);
    }

    internal static double Accuracy(nn.Module<BertInput, Tensor> model, TextEncoder enc, EncodedSet set, int batch, CancellationToken ct) =>
        Metrics.Accuracy(Predictor.Probabilities(model, enc, set.Ids, batch, null, ct).Select(Predictor.ArgMax).ToList(), set.Labels);

    internal static double Rate(
        nn.Module<BertInput, Tensor> model,
        TextEncoder enc,
        EncodedSet set,
        int target,
        int batch,
        CancellationToken ct
    ) =>
        Metrics.AttackSuccessRate(
            Predictor.Probabilities(model, enc, set.Ids, batch, null, ct).Select(Predictor.ArgMax).ToList(),
            set.Labels,
            target
        );
}
