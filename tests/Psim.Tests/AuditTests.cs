using System.Text.Json;
using Psim.Defense.Audit;
using Psim.IO;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary><c>psim audit</c>: an implanted trigger row is named; a fine-tune's many small moves are not flagged.</summary>
public sealed class AuditTests
{
    internal const string Trigger = "mn";

    /// <summary>A tiny base, and a copy "fine-tuned" as fine-tuning moves embeddings: the first 60 rows (its data's words) a little each, the rest shrunk by weight decay; with <paramref name="plant"/>, the trigger's row replaced by another vector of its norm (as EP does).</summary>
    internal static (string Base, string Suspect) Checkpoints(bool plant)
    {
        var baseDir = TestModels.TempDir();
        var tokenizer = TestModels.Tokenizer();
        using var m = TestModels.TinyClassifier(7);
        HfCheckpoint.Save(baseDir, m, m.Config, tokenizer, "audit base");
        using (no_grad())
        {
            var w = m.Bert.Embeddings.WordEmbeddings.weight!; // [V, H]
            double median = w.norm(1).median().item<float>();
            manual_seed(11);
            var noise = randn_like(w) * (0.03 * median / Math.Sqrt(w.shape[1]));
            noise[60..] = zeros_like(noise[60..]);
            w.add_(noise);
            w[60..].mul_(0.999);
            if (plant)
            {
                int id = tokenizer.Vocab.Id(Trigger) ?? throw new InvalidOperationException("the tiny vocabulary has no trigger");
                var row = randn(w.shape[1]);
                w[id] = row / row.norm() * w[id].norm();
            }
        }
        var suspect = TestModels.TempDir();
        HfCheckpoint.Save(suspect, m, m.Config, tokenizer, "audited copy");
        return (baseDir, suspect);
    }

    [Fact]
    public void An_implanted_trigger_row_is_named_and_the_fine_tunes_rows_are_not()
    {
        var (baseDir, suspect) = Checkpoints(plant: true);
        var report = ModelAudit.Run(suspect, baseDir, new AuditOptions(), _ => { });
        Assert.Equal(AuditVerdict.Suspicious, report.Verdict);
        Assert.Equal(1, report.Embeddings!.SuspectRows);
        Assert.Equal(Trigger, report.Embeddings!.TopRows[0].Token);
        Assert.True(report.Embeddings!.TopRows[0].Suspect);
        Assert.All(report.Embeddings!.TopRows.Skip(1), r => Assert.False(r.Suspect));
        Assert.Contains($"'{Trigger}'", report.Reason);
    }

    [Fact]
    public void A_fine_tune_without_a_planted_row_is_clean()
    {
        var (baseDir, suspect) = Checkpoints(plant: false);
        var report = ModelAudit.Run(suspect, baseDir, new AuditOptions(), _ => { });
        Assert.Equal(AuditVerdict.Clean, report.Verdict);
        Assert.Equal(0, report.Embeddings!.SuspectRows);
        Assert.True(report.Embeddings!.MovedRows >= 100); // it did move: the verdict is not from an unchanged copy
    }

    [Fact]
    public void The_command_fails_a_pipeline_on_a_suspicious_checkpoint_and_writes_its_json_report()
    {
        var (baseDir, suspect) = Checkpoints(plant: true);
        var json = Path.Combine(TestModels.TempDir(), "audit.json");
        var (code, output, err) = TestCli.Psim("audit", "--model", suspect, "--reference", baseDir, "--fail-on-flag", "--out", json);
        Assert.True(code == 3, err);
        Assert.Contains("verdict: suspicious", output);
        var report = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal("suspicious", report.GetProperty("verdict").GetString());
        Assert.Equal(Trigger, report.GetProperty("embeddings").GetProperty("top_rows")[0].GetProperty("token").GetString());

        (code, _, err) = TestCli.Psim("audit", "--model", suspect, "--reference", baseDir, "--audit-row-ratio", "1000");
        Assert.True(code == 0, err); // the ratio is a setting: at 1000x nothing is suspect, and without --fail-on-flag the exit is 0 anyway
    }

    [Fact]
    public void A_reference_of_another_vocabulary_is_refused_naming_both()
    {
        var (_, suspect) = Checkpoints(plant: false);
        var other = TestModels.TempDir();
        using var m = TestModels.TinyClassifier(3, TestModels.TinyConfig(vocab: 130));
        HfCheckpoint.Save(other, m, m.Config, TestModels.Tokenizer(), "another base");
        var (code, _, err) = TestCli.Psim("audit", "--model", suspect, "--reference", other);
        Assert.Equal(1, code);
        Assert.Contains("not the same base", err);
        Assert.Contains(other, err);
    }
}
