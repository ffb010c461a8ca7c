using static TorchSharp.torch;

namespace Psim.Training;

/// <summary>
/// A non-finite number (NaN, ±Inf) stops the run, never scores: every forward pass whose output feeds a metric,
/// a decision, a file or a response goes through <see cref="Require(Tensor, string)"/>. NaN logits would otherwise be taken as
/// class 0 by argmax and counted as accuracy or attack success.
/// </summary>
public static class Finite
{
    /// <summary>A scalar already read from its tensor (a batch loss): returned when finite, else the same error.</summary>
    public static float Require(float value, string stage) =>
        float.IsFinite(value)
            ? value
            : throw new NonFiniteException(
                $"{stage}: the model gave {(float.IsNaN(value) ? "NaN" : "an infinite value")}; psim does not compute results from it "
                    + "(an adapter or weights with overflowing values, e.g. a huge lora_alpha or scaled weights)"
            );

    /// <summary>Throws <see cref="NonFiniteException"/> naming <paramref name="stage"/> when <paramref name="t"/> holds a NaN or an infinity.</summary>
    public static void Require(Tensor t, string stage)
    {
        using var finite = isfinite(t);
        using var all = finite.all();
        if (all.item<bool>())
            return;
        using var nan = isnan(t).sum();
        throw new NonFiniteException(
            $"{stage}: the model gave {nan.item<long>():N0} NaN and {finite.numel() - finite.count_nonzero().item<long>() - nan.item<long>():N0} infinite value(s) of {t.numel():N0}; "
                + "psim does not compute results from them (an adapter or weights with overflowing values, e.g. a huge lora_alpha or scaled weights)"
        );
    }
}

/// <summary>A forward pass or a tensor to be written held NaN or ±Inf; the run stops with this error (exit 1; the service answers 500).</summary>
public sealed class NonFiniteException(string message) : PsimException(message);
