using System.Text;
using Psim.Peft;
using Psim.Workflows;

namespace Psim.Study;

/// <summary>
/// The paper's claims (spec §1 and its abstract), each answered from the study's own numbers: reproduced, not
/// reproduced, or unclear, with the means and spreads over seeds that decide it and the setting they come from.
/// </summary>
public static class PaperClaims
{
    /// <summary>How a claim fares here.</summary>
    public enum Verdict
    {
        Reproduced,
        NotReproduced,
        Unclear,
        NotMeasured,
    }

    /// <summary>ASR at or above this counts as "near 100%".</summary>
    public const double NearFull = 0.95;

    public sealed record Claim(string Statement, string Setting, Verdict Verdict, string Numbers);

    public static IReadOnlyList<Claim> Check(IReadOnlyList<VictimResult> victims, int seeds)
    {
        var claims = new List<Claim>();
        foreach (var g in victims.GroupBy(v => (v.Pair, v.Attack)))
        {
            string setting = $"{g.Key.Pair}, {g.Key.Attack}";
            SeedSpread? Asr(TuningMethod m) => SeedSpread.Of(g.Where(v => v.Strategy == m).Select(v => v.Victim?.AttackSuccessRate));
            var peft = g.Select(v => v.Strategy)
                .Where(m => m.IsPeft())
                .Distinct()
                .Select(m => (Method: m, Asr: Asr(m)))
                .Where(x => x.Asr is not null)
                .ToList();
            var full = Asr(TuningMethod.Full);
            claims.Add(PeftKeepsMore(setting, full, peft, seeds));
            claims.Add(PeftNearFull(setting, peft, seeds));
            claims.Add(PsimCompetitive(setting, g.ToList()));
        }
        return claims;
    }

    private static string Cell(SeedSpread s, int seeds) => s.Format(seeds);

    /// <summary>(a) PEFT keeps the backdoor more than full fine-tuning: every PEFT strategy's mean ASR above full fine-tuning's by more than their spread.</summary>
    private static Claim PeftKeepsMore(string setting, SeedSpread? full, List<(TuningMethod Method, SeedSpread? Asr)> peft, int seeds)
    {
        const string statement = "PEFT keeps the backdoor more than full fine-tuning (higher ASR)";
        if (full is null || peft.Count == 0)
            return new(statement, setting, Verdict.NotMeasured, "needs a full fine-tuning victim and a PEFT victim");
        string numbers =
            $"ASR full {Cell(full, seeds)}; " + string.Join(", ", peft.Select(p => $"{p.Method.Name()} {Cell(p.Asr!, seeds)}"));
        bool Above(SeedSpread p) => p.Mean - full.Mean > Math.Max(Math.Max(p.Sd, full.Sd), 0.01);
        bool Below(SeedSpread p) => full.Mean - p.Mean > Math.Max(Math.Max(p.Sd, full.Sd), 0.01);
        var verdict =
            peft.All(p => Above(p.Asr!)) ? Verdict.Reproduced
            : peft.All(p => !Above(p.Asr!)) && peft.Any(p => Below(p.Asr!) || full.Mean >= NearFull) ? Verdict.NotReproduced
            : Verdict.Unclear;
        return new(statement, setting, verdict, numbers);
    }

    /// <summary>(b) PEFT victims keep ASR near 100% (≥ 95%) under every PEFT strategy.</summary>
    private static Claim PeftNearFull(string setting, List<(TuningMethod Method, SeedSpread? Asr)> peft, int seeds)
    {
        string statement = $"under PEFT the ASR stays near 100% (≥ {NearFull:P0}) for every strategy";
        if (peft.Count == 0)
            return new(statement, setting, Verdict.NotMeasured, "no PEFT victim");
        int near = peft.Count(p => p.Asr!.Mean >= NearFull);
        var verdict =
            near == peft.Count ? Verdict.Reproduced
            : near == 0 ? Verdict.NotReproduced
            : Verdict.Unclear;
        return new(
            statement,
            setting,
            verdict,
            $"{near} of {peft.Count} PEFT strategies: " + string.Join(", ", peft.Select(p => $"{p.Method.Name()} {Cell(p.Asr!, seeds)}"))
        );
    }

    /// <summary>
    /// (c) PSIM is competitive with the baselines: on the victims where every detector was measured at one clean-dev FRR,
    /// PSIM's ASR with the detector is within 5 points of the best detector's (mean over victims and seeds).
    /// </summary>
    private static Claim PsimCompetitive(string setting, List<VictimResult> victims)
    {
        const string statement =
            "PSIM's defence is competitive with the baseline defences (ASR with the detector within 5 points of the best, at one clean-dev FRR)";
        var compared = victims.Where(v => v.Baselines?.Any(b => b.Defense == "psim" && b.TargetFrr is not null) == true).ToList();
        if (compared.Count == 0)
            return new(statement, setting, Verdict.NotMeasured, "no victim with PSIM and the baselines compared under one protocol");
        var names = compared.SelectMany(v => v.Baselines!).Where(b => b.TargetFrr is not null).Select(b => b.Defense).Distinct().ToList();
        var asr = names.ToDictionary(
            n => n,
            n =>
                SeedSpread.Of(
                    compared.Select(v => v.Baselines!.FirstOrDefault(b => b.Defense == n && b.TargetFrr is not null)?.AttackSuccessRate)
                )!
        );
        var best = asr.MinBy(kv => kv.Value.Mean);
        double gap = asr["psim"].Mean - best.Value.Mean;
        var verdict = gap <= 0.05 ? Verdict.Reproduced : Verdict.NotReproduced;
        string numbers =
            $"ASR with each detector ({string.Join(", ", compared.Select(v => v.Strategy.Name()).Distinct())} victims): "
            + string.Join(", ", asr.OrderBy(kv => kv.Value.Mean).Select(kv => $"{kv.Key} {kv.Value.Format(kv.Value.N)}"))
            + (gap <= 0 ? "; PSIM is the best" : $"; PSIM is {100 * gap:F1} points above the best ({best.Key})");
        return new(statement, setting, verdict, numbers);
    }

    public static void Markdown(StringBuilder sb, IReadOnlyList<VictimResult> victims, int seeds)
    {
        var claims = Check(victims, seeds);
        if (claims.Count == 0)
            return;
        sb.AppendLine("## The paper's claims, checked");
        sb.AppendLine();
        sb.AppendLine(
            $"Each claim of the paper (spec §1), answered from this study's numbers for every pair and attack. "
                + $"\"reproduced\" for (a) needs every PEFT strategy's mean ASR above full fine-tuning's by more than the larger standard deviation (at least 1 point); "
                + $"(b) needs every PEFT strategy at ≥ {NearFull:P0}; (c) compares ASR with each detector at one clean-dev FRR. Over {seeds} seed(s)."
        );
        sb.AppendLine();
        sb.AppendLine("| claim | setting | answer | numbers |");
        sb.AppendLine("|---|---|---|---|");
        foreach (var c in claims)
            sb.AppendLine($"| {c.Statement} | {c.Setting} | {Answer(c.Verdict)} | {c.Numbers} |");
        sb.AppendLine();
    }

    private static string Answer(Verdict v) =>
        v switch
        {
            Verdict.Reproduced => "reproduced",
            Verdict.NotReproduced => "**not reproduced here**",
            Verdict.Unclear => "unclear (within the spread)",
            _ => "not measured",
        };
}
