using Psim.Defense.Detection;

namespace Psim.Defense.Rap;

/// <summary>
/// RAP under the protocol: suspicion = −(p − p′), the protected label's probability drop when RAP's word is put in
/// front, negated (a backdoored input barely moves); inputs the victim does not give the protected label are never
/// flagged (score −∞), as in RAP, since the attack aims at that label.
/// </summary>
public sealed class RapDetector(RapPerturbation rap, IReadOnlyList<string> cleanDev, CancellationToken ct) : IInputDetector
{
    public static readonly DefenseDescriptor Descriptor = new()
    {
        Kind = DefenseKind.Rap,
        Options = new OptionsGroup<ICheckedOptions>("rap", "RAP", typeof(RapOptions)),
        Detector = c => new RapDetector(
            RapPerturbation.Construct(
                c.Victim.Model,
                c.Victim.Encoder,
                c.Train.Where(e => e.Label == c.TargetLabel).Select(e => e.Text).ToList(),
                c.TargetLabel,
                c.Settings<RapOptions>(),
                c.Seed,
                c.Log,
                c.Ct
            ),
            c.DevTexts,
            c.Ct
        ),
    };

    public DefenseKind Kind => DefenseKind.Rap;
    public string Setting =>
        $"word '{rap.Options.Word}', {rap.Options.Epochs} epochs on {rap.TrainedOn} clean training rows of label {rap.TargetLabel}, "
        + $"drop range {rap.Options.MinDrop}–{rap.Options.MaxDrop} reached on {rap.Epochs[^1].Reached:P0} of them in the last epoch";
    public DetectorCost Cost => new(2);
    public FlagResponse Response => FlagResponse.Reject;
    public IReadOnlyList<double> CalibrationScores { get; } = Scores(rap, cleanDev, "RAP, clean dev", ct);

    public double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct) => Scores(rap, texts, label, ct);

    private static double[] Scores(RapPerturbation rap, IReadOnlyList<string> texts, string label, CancellationToken ct) =>
        rap.Drops(texts, label, ct).Select(d => d.Protected ? -d.Drop : double.NegativeInfinity).ToArray();
}
