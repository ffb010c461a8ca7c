using Psim.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Psim.Peft.Lora;

/// <summary>
/// A frozen linear layer plus a low-rank update: y = W x + b + scaling · B A dropout(x), with
/// scaling = alpha / r (or alpha / √r for rsLoRA, chosen by the config).
/// A is Kaiming-uniform (a = √5), B zeros, so a fresh LoRA layer computes exactly W x + b.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear base_layer;
    private readonly Linear lora_A;
    private readonly Linear lora_B;
    private readonly ParallelDropout lora_dropout;
    private readonly double _scaling;

    public bool Merged { get; private set; }

    public LoraLinear(Linear baseLayer, int r, double scaling, double dropout)
        : base(nameof(LoraLinear))
    {
        base_layer = baseLayer;
        lora_A = nn.Linear(baseLayer.in_features, r, hasBias: false); // Kaiming-uniform(a=√5), as nn.Linear
        lora_B = nn.Linear(r, baseLayer.out_features, hasBias: false);
        nn.init.zeros_(lora_B.weight);
        lora_dropout = new ParallelDropout(dropout);
        _scaling = scaling;
        RegisterComponents();
    }

    public Linear BaseLayer => base_layer;
    public double Scaling => _scaling;
    public Parameter A => lora_A.weight!;
    public Parameter B => lora_B.weight!;

    /// <param name="x">[..., in]</param>
    /// <returns>[..., out]</returns>
    public override Tensor forward(Tensor x)
    {
        var y = base_layer.call(x);
        if (Merged)
            return y;
        return y + lora_B.call(lora_A.call(lora_dropout.call(x))) * _scaling;
    }

    /// <summary>ΔW = scaling · B A, [out, in].</summary>
    public Tensor Delta() => lora_B.weight!.matmul(lora_A.weight!) * _scaling;

    /// <summary>Adds ΔW into the base weight; the low-rank path is then skipped.</summary>
    public void Merge()
    {
        if (Merged)
            return;
        using (no_grad())
            base_layer.weight!.add_(Delta());
        Merged = true;
    }

    /// <summary>Subtracts ΔW again.</summary>
    public void Unmerge()
    {
        if (!Merged)
            return;
        using (no_grad())
            base_layer.weight!.sub_(Delta());
        Merged = false;
    }
}
