using Psim.Defense.Detection;
using Psim.Runtime;

namespace Psim.Defense.Strip;

/// <summary>STRIP under the protocol: suspicion = −(mean prediction entropy over the perturbed copies); a trigger keeps the prediction, so entropy stays low.</summary>
public sealed class StripDetector : IInputDetector
{
    private readonly VictimUnderTest _victim;
    private readonly StripPerturbation _strip;
    private readonly long _seed;

    public StripDetector(VictimUnderTest victim, StripPerturbation strip, IReadOnlyList<string> cleanDev, long seed, CancellationToken ct)
    {
        (_victim, _strip, _seed) = (victim, strip, seed);
        CalibrationScores = Score(cleanDev, "STRIP, clean dev", ct);
    }

    public static readonly DefenseDescriptor Descriptor = new()
    {
        Kind = DefenseKind.Strip,
        Options = new OptionsGroup<ICheckedOptions>("strip", "STRIP", typeof(StripOptions)),
        Detector = c => new StripDetector(
            c.Victim,
            new StripPerturbation(c.Train.Select(e => e.Text), c.Settings<StripOptions>().Copies),
            c.DevTexts,
            c.Seed,
            c.Ct
        ),
    };

    public DefenseKind Kind => DefenseKind.Strip;
    public string Setting => $"{_strip.Copies} copies, {_strip.ReplaceFraction:P0} of the words replaced by clean training words";
    public DetectorCost Cost => new(1 + _strip.Copies);
    public FlagResponse Response => FlagResponse.Reject;
    public IReadOnlyList<double> CalibrationScores { get; }

    public double[] Score(IReadOnlyList<string> texts, string label, CancellationToken ct)
    {
        var rng = Seeds.Random(_seed, "strip/" + label);
        var copies = texts.SelectMany(t => _strip.Perturb(t, rng)).ToList();
        var probs = _victim.Probabilities(copies, label, ct);
        return Enumerable
            .Range(0, texts.Count)
            .Select(i => -StripPerturbation.MeanEntropy(probs.Skip(i * _strip.Copies).Take(_strip.Copies)))
            .ToArray();
    }
}
