using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Peft;

/// <summary>
/// A PEFT method attached to a classifier. LoRA and adapters change the model's linear children
/// when attached; prompt methods change what goes into the model. Either way, only the method's
/// own parameters (and the head copy) train.
/// </summary>
public interface IPeftMethod
{
    PeftConfig Config { get; }

    /// <summary>The method's own module, registered under the wrapper (null when it lives inside the model).</summary>
    nn.Module? Module { get; }

    /// <summary>Logits [B, K] for the input, through the method.</summary>
    Tensor Forward(BertForSequenceClassification model, BertInput input);

    /// <summary>The method's tensors with peft's keys (without the head), as saved in adapter_model.safetensors.</summary>
    Dictionary<string, Tensor> SaveState(BertForSequenceClassification model);

    /// <summary>Loads what <see cref="SaveState"/> wrote; throws on a missing or misshapen key.</summary>
    void LoadState(BertForSequenceClassification model, IReadOnlyDictionary<string, Tensor> state, string source);

    /// <summary>The prefix peft puts before model keys: <c>base_model.model.</c> (LoRA, adapters) or <c>base_model.</c> (prompt learning).</summary>
    string KeyPrefix { get; }
}
