using System.Text.Json;
using Psim.Defense;
using Psim.Defense.Detection;
using Psim.Defense.Guard;

namespace Psim.Tests;

/// <summary>The fused guard's arithmetic: clean p-values, their fusion by the smallest, and one threshold that holds its FRR overall.</summary>
public sealed class GuardTests
{
    [Fact]
    public void A_p_value_counts_the_clean_scores_at_least_as_high_and_falls_exponentially_past_the_highest()
    {
        // clean 1..10; the tail is the top 20% (9, 10): mean excess over 9 is 0.5
        var p = new TailPValue([.. Enumerable.Range(1, 10).Select(i => (double)i)], tailShare: 0.2);
        Assert.Equal(0.5, p.TailScale, 12);
        Assert.Equal(11.0 / 11, p.Of(0.5), 12); // every clean score is higher
        Assert.Equal(4.0 / 11, p.Of(8), 12); // 8, 9, 10 and the input itself
        Assert.Equal(3.0 / 11, p.Of(8.5), 12);
        Assert.Equal(2.0 / 11, p.Of(10), 12);
        Assert.Equal(Math.Exp(-2) / 11, p.Of(11), 12); // one unit past the highest: e^(-1/0.5)
        Assert.True(p.Of(12) < p.Of(11)); // ordered past every clean score
        Assert.Equal(2 + Math.Log(11), p.Surprise(11), 12); // −ln p
        Assert.Equal(-Math.Log(4.0 / 11), p.Surprise(8), 12);
        Assert.Equal(2000 + Math.Log(11), p.Surprise(1010), 9); // far past: e^(−2000) underflows, its −ln does not
        Assert.Equal(3.0 / 10, p.OfClean(8), 12); // a clean row left out of its own reference
        Assert.Equal(1.0 / 10, p.OfClean(10), 12);
        Assert.Throws<PsimException>(() => p.Of(double.NaN));
        Assert.Throws<PsimException>(() => new TailPValue([1.0, double.PositiveInfinity], 0.1));
    }

    [Fact]
    public void The_fused_threshold_holds_its_frr_overall_and_flags_an_input_unusual_on_either_scale()
    {
        // two detectors on wildly different scales: A in [0.5, 1] (a confidence), B in standard deviations times 1,000
        var rng = new Random(11);
        (double A, double B) Clean() => (0.5 + 0.5 * rng.NextDouble(), 1000 * Normal(rng));
        var held = Enumerable.Range(0, 2000).Select(_ => Clean()).ToList();
        var fusion = new MinPFusion([held.Select(x => x.A).ToList(), held.Select(x => x.B).ToList()], tailShare: 0.05);
        double tau = DetectionProtocol.Threshold(fusion.CalibrationScores, 0.01);
        Assert.True(fusion.CalibrationScores.Count(s => s > tau) <= 20); // at most 1% of the clean rows it was set on

        var fresh = Enumerable.Range(0, 40_000).Select(_ => Clean()).ToList();
        double frr = fresh.Count(x => fusion.Score([x.A, x.B]) > tau) / (double)fresh.Count;
        Assert.InRange(frr, 0.007, 0.013); // the FRR holds on new clean inputs, overall (not 1% per detector: that is 2%)

        // unusual on one scale only, ordinary on the other: flagged either way (a sum or a max of raw scores would miss A)
        Assert.True(fusion.Score([1.0 + 1e-3, 0.0]) > tau);
        Assert.True(fusion.Score([0.75, 5000]) > tau);
        Assert.False(fusion.Score([0.75, 0.0]) > tau);
        Assert.True(fusion.Score([1.2, 0.0]) > fusion.Score([1.01, 0.0])); // past every clean score, still ordered
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    [Fact]
    public void The_guard_is_a_catalog_defence_with_its_own_settings_group()
    {
        var d = DefenseCatalog.Of(DefenseKind.Guard);
        Assert.Equal("guard", d.Options!.Name);
        Assert.Equal(typeof(GuardOptions), d.Options.Type);
        Assert.NotNull(d.Detector);
        Assert.Throws<PsimException>(() => new GuardOptions { HeldOutFraction = 1 }.Validate());
        Assert.Throws<PsimException>(() => new GuardOptions { TailShare = 0 }.Validate());
    }

    [Fact]
    public void A_clean_column_of_zeros_flags_any_input_that_carries_a_suspect_token_and_the_frr_still_holds()
    {
        var rng = new Random(3);
        var held = Enumerable.Range(0, 500).Select(_ => (A: rng.NextDouble(), Tokens: 0.0)).ToList();
        var fusion = new MinPFusion([held.Select(x => x.A).ToList(), held.Select(x => x.Tokens).ToList()], tailShare: 0.05);
        double tau = DetectionProtocol.Threshold(fusion.CalibrationScores, 0.01);
        Assert.True(fusion.CalibrationScores.Count(s => s > tau) <= 5);
        Assert.True(fusion.Score([0.5, 1]) > tau); // one suspect token, an ordinary score otherwise
        Assert.True(double.IsFinite(fusion.Score([0.5, 3])) && fusion.Score([0.5, 3]) > fusion.Score([0.5, 1]));
        Assert.False(fusion.Score([0.5, 0]) > tau);
    }

    /// <summary>`psim defend baselines --reference`: the audit of the victim against its clean base names the planted row, and the guard rejects every input carrying it.</summary>
    [Fact]
    public void With_a_reference_the_guard_rejects_inputs_carrying_the_token_the_audit_names()
    {
        var (reference, victim) = AuditTests.Checkpoints(plant: true);
        var (_, dataDir) = TestModels.TinyTask();
        var detDir = TestModels.TinyDetector(victim, dataDir);
        JsonElement Guard(params string[] extra)
        {
            var outDir = TestModels.TempDir();
            var (code, _, err) = TestCli.Psim([
                "defend",
                "baselines",
                "--model",
                victim,
                "--data",
                dataDir,
                "--attack",
                "badnet",
                "--trigger",
                AuditTests.Trigger,
                "--detector",
                detDir,
                "--defense",
                "guard",
                "--max-length",
                "16",
                "--target-frr",
                "0.05",
                "--out",
                outDir,
                .. extra,
            ]);
            Assert.True(code == 0, err);
            return JsonDocument
                .Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")))
                .RootElement.EnumerateArray()
                .Single(x => x.GetProperty("defense").GetString() == "guard");
        }
        var audited = Guard("--reference", reference);
        Assert.Contains($"'{AuditTests.Trigger}'", audited.GetProperty("setting").GetString());
        Assert.Equal(0.0, audited.GetProperty("attack_success_rate").GetDouble());
        Assert.Equal(0.0, audited.GetProperty("far").GetDouble()); // every triggered input flagged
        Assert.Equal(1.0, audited.GetProperty("auroc").GetDouble());
        var unaudited = Guard();
        Assert.DoesNotContain($"'{AuditTests.Trigger}'", unaudited.GetProperty("setting").GetString());
    }
}
