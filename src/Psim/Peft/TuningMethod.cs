using System.Text.Json.Serialization;

namespace Psim.Peft;

/// <summary>
/// How a model adapts to a task: full fine-tuning (every weight trains) or one of the PEFT methods
/// (the backbone frozen, a small module trained), with the reference settings of spec §3.
/// </summary>
public enum TuningMethod
{
    Full,
    Lora,

    /// <summary>Prompt tuning: trainable virtual tokens at the input.</summary>
    Prompt,

    /// <summary>P-tuning: virtual tokens from a prompt encoder (MLP).</summary>
    [JsonStringEnumMemberName("ptuning")]
    PTuning,

    /// <summary>P-tuning v2 / prefix tuning: trainable keys and values on every layer.</summary>
    Prefix,

    /// <summary>Bottleneck adapters after attention and feed-forward blocks.</summary>
    Adapter,
}

public static class TuningMethods
{
    /// <summary>The PEFT methods (every method but full fine-tuning).</summary>
    public static IReadOnlyList<TuningMethod> Peft { get; } = Enum.GetValues<TuningMethod>().Where(m => m != TuningMethod.Full).ToArray();

    public static bool IsPeft(this TuningMethod m) => m != TuningMethod.Full;

    public static string Name(this TuningMethod m) => Vocabulary<TuningMethod>.Name(m);

    /// <summary>The reference's peak learning rate: 2e-5 for full fine-tuning, 2e-3 for PEFT methods.</summary>
    public static double DefaultLearningRate(this TuningMethod m) => m.IsPeft() ? Defaults.PeftLearningRate : Defaults.FullLearningRate;
}
