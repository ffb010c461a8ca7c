using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Models;

/// <summary>
/// Hugging Face <c>BertForSequenceClassification</c>: <c>bert.*</c>, then dropout and the linear
/// <c>classifier</c> on the pooled output. Returns logits [B, num_labels].
/// </summary>
public sealed class BertForSequenceClassification : nn.Module<BertInput, Tensor>
{
    private readonly BertModel bert;
    private readonly ParallelDropout dropout;
    private nn.Module<Tensor, Tensor> classifier;

    public BertConfig Config { get; }

    public BertForSequenceClassification(BertConfig config)
        : base(nameof(BertForSequenceClassification))
    {
        Config = config;
        bert = new BertModel(config);
        dropout = new ParallelDropout(config.ClassifierDropout ?? config.HiddenDropoutProb);
        classifier = nn.Linear(config.HiddenSize, config.NumLabels);
        RegisterComponents();
    }

    public BertModel Bert => bert;

    /// <summary>The classification head (a linear layer unless replaced).</summary>
    public nn.Module<Tensor, Tensor> Classifier
    {
        get => classifier;
        set
        {
            classifier = value;
            ModuleSurgery.Replace(this, "classifier", value);
        }
    }

    public override Tensor forward(BertInput input)
    {
        var pooled = bert.call(input with { PooledOnly = true }).PooledOutput; // [B, H]
        return Head(pooled); // [B, num_labels]
    }

    /// <summary>The head on a pooled representation: classifier(dropout(pooled)), [B, H] -> [B, num_labels].</summary>
    public Tensor Head(Tensor pooled) => classifier.call(dropout.call(pooled));
}
