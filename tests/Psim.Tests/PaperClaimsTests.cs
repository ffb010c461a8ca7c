using Psim.Peft;
using Psim.Study;
using Psim.Workflows;
using static Psim.Study.PaperClaims;

namespace Psim.Tests;

/// <summary>The report's claims section decides from the numbers, on hand-made results.</summary>
public class PaperClaimsTests
{
    private static VictimResult V(TuningMethod m, long seed, double asr, params (string Defense, double Asr)[] detectors) =>
        new(
            "imdb->sst-2",
            "badnet",
            m,
            seed,
            new FinetuneMetrics(0.85, [], asr, 100, 50, "badnet", m, 0, "sst-2", 1, []),
            null,
            null,
            detectors.Length == 0
                ? null
                :
                [
                    new BaselineResult("none", "", 0.85, asr),
                    .. detectors.Select(d => new BaselineResult(d.Defense, "", 0.84, d.Asr) { TargetFrr = 0.01 }),
                ]
        );

    private static Claim Find(IReadOnlyList<Claim> claims, string start) => claims.Single(c => c.Statement.StartsWith(start));

    [Fact]
    public void Peft_above_full_by_more_than_the_spread_reproduces_the_first_two_claims()
    {
        var claims = Check(
            [
                V(TuningMethod.Full, 1, 0.5),
                V(TuningMethod.Full, 2, 0.6),
                V(TuningMethod.Lora, 1, 0.99),
                V(TuningMethod.Lora, 2, 1.0),
                V(TuningMethod.Prefix, 1, 0.97),
                V(TuningMethod.Prefix, 2, 0.99),
            ],
            seeds: 2
        );
        var a = Find(claims, "PEFT keeps");
        Assert.Equal(Verdict.Reproduced, a.Verdict);
        Assert.Contains("full 55.0 ± 7.1", a.Numbers);
        Assert.Equal(Verdict.Reproduced, Find(claims, "under PEFT").Verdict);
        Assert.Equal(Verdict.NotMeasured, Find(claims, "PSIM's defence").Verdict);
    }

    [Fact]
    public void Full_fine_tuning_keeping_the_backdoor_too_does_not_reproduce_the_first_claim()
    {
        var claims = Check([V(TuningMethod.Full, 1, 1.0), V(TuningMethod.Lora, 1, 1.0), V(TuningMethod.PTuning, 1, 0.6)], seeds: 1);
        Assert.Equal(Verdict.NotReproduced, Find(claims, "PEFT keeps").Verdict);
        Assert.Equal(Verdict.Unclear, Find(claims, "under PEFT").Verdict); // one of two strategies near 100%
        // a PEFT strategy above full fine-tuning and another not: unclear
        claims = Check([V(TuningMethod.Full, 1, 0.5), V(TuningMethod.Lora, 1, 0.9), V(TuningMethod.PTuning, 1, 0.5)], seeds: 1);
        Assert.Equal(Verdict.Unclear, Find(claims, "PEFT keeps").Verdict);
    }

    [Fact]
    public void Psim_is_competitive_within_five_points_of_the_best_detector()
    {
        var close = Check([V(TuningMethod.Lora, 1, 1.0, ("psim", 0.04), ("dan", 0.0), ("strip", 0.9))], seeds: 1);
        Assert.Equal(Verdict.Reproduced, Find(close, "PSIM's defence").Verdict);
        Assert.Contains("PSIM is 4.0 points above the best (dan)", Find(close, "PSIM's defence").Numbers);
        var far = Check([V(TuningMethod.Lora, 1, 1.0, ("psim", 0.5), ("dan", 0.0))], seeds: 1);
        Assert.Equal(Verdict.NotReproduced, Find(far, "PSIM's defence").Verdict);
        var best = Check([V(TuningMethod.Lora, 1, 1.0, ("psim", 0.0), ("onion", 0.3))], seeds: 1);
        Assert.Contains("PSIM is the best", Find(best, "PSIM's defence").Numbers);
    }
}
