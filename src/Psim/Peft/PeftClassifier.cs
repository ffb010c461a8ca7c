using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft;

/// <summary>
/// A sequence classifier wrapped with a PEFT method: the backbone is frozen, the method's
/// parameters and a trainable copy of the classification head (initialised from the loaded head,
/// peft's <c>modules_to_save</c>) train.
/// </summary>
public sealed class PeftClassifier : nn.Module<BertInput, Tensor>
{
    private readonly BertForSequenceClassification model;
    private readonly nn.Module? method;
    private readonly IPeftMethod _method;

    public PeftClassifier(BertForSequenceClassification model, IPeftMethod peft)
        : base(nameof(PeftClassifier))
    {
        this.model = model;
        _method = peft;
        method = peft.Module;
        RegisterComponents();
    }

    public BertForSequenceClassification Model => model;

    /// <summary>The classifier inside a victim: the model itself, or the one a PEFT method wraps.</summary>
    public static BertForSequenceClassification Inner(nn.Module<BertInput, Tensor> victim) =>
        victim switch
        {
            BertForSequenceClassification c => c,
            PeftClassifier p => p.Model,
            _ => throw new ArgumentException($"not a classifier: {victim.GetType().Name}"),
        };

    public IPeftMethod Method => _method;
    public PeftConfig Config => _method.Config;

    public override Tensor forward(BertInput input) => _method.Forward(model, input);

    public IReadOnlyList<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad).ToList();

    /// <summary>Freezes everything, then unfreezes the method's parameters and replaces the head with a trainable copy.</summary>
    public static PeftClassifier Attach(BertForSequenceClassification model, IPeftMethod peft, Action<BertForSequenceClassification> inject)
    {
        foreach (var p in model.parameters())
            p.requires_grad = false;
        inject(model); // the method's modules are created trainable
        model.Classifier = CopyHead(model.Classifier);
        return new PeftClassifier(model, peft);
    }

    private static nn.Module<Tensor, Tensor> CopyHead(nn.Module<Tensor, Tensor> head)
    {
        if (head is not Linear l)
            throw new PsimException("only a linear classification head can be copied");
        var copy = nn.Linear(l.in_features, l.out_features, hasBias: l.bias is not null);
        using (no_grad())
        {
            copy.weight!.copy_(l.weight!);
            if (l.bias is not null)
                copy.bias!.copy_(l.bias);
        }
        return copy;
    }

    /// <summary>peft's head keys: <c>{prefix}classifier.weight</c> and <c>.bias</c>.</summary>
    public Dictionary<string, Tensor> HeadState() =>
        model.Classifier.state_dict().ToDictionary(kv => $"{_method.KeyPrefix}classifier.{kv.Key}", kv => kv.Value);
}
