using System.Text.Json;
using Psim.Defense.Audit;
using Psim.Defense.Repair;
using Psim.IO;
using static TorchSharp.torch;

namespace Psim.Tests;

/// <summary><c>psim repair</c> (E-PUR): exactly the rows the audit names go back to the reference; every other weight is written as it was.</summary>
public sealed class RepairTests
{
    private const string Rows = "bert.embeddings.word_embeddings.weight";

    private static Tensor Read(string dir, string key) => HfCheckpoint.Open(dir).Weights.Read(key);

    [Fact]
    public void Repair_resets_exactly_the_named_rows_and_keeps_every_other_weight()
    {
        var (baseDir, suspect) = AuditTests.Checkpoints(plant: true);
        var outDir = Path.Combine(TestModels.TempDir(), "repaired");
        var report = ModelRepair.Run(suspect, baseDir, outDir, new AuditOptions(), new RepairOptions(), _ => { });

        int trigger = TestModels.Tokenizer().Vocab.Id(AuditTests.Trigger)!.Value;
        Assert.Equal([(long)trigger], report.ResetRows.Select(r => r.Id));
        Assert.Equal(AuditVerdict.Suspicious, report.Audit.Verdict);
        Assert.Equal(AuditVerdict.Clean, report.AfterRepair.Verdict);

        using var scope = NewDisposeScope();
        var (w0, w1, repaired) = (Read(baseDir, Rows), Read(suspect, Rows), Read(outDir, Rows));
        Assert.True(TensorAssert.Same(repaired[trigger], w0[trigger]), "the trigger row is the reference's");
        Assert.False(w1[trigger].allclose(w0[trigger]), "the trigger row had moved: the test plants it");
        var others = arange(w0.shape[0]).ne(trigger);
        Assert.True(TensorAssert.Same(repaired[others], w1[others]), "every other row is the suspect's, fine-tuned moves included");
        Assert.False(
            TensorAssert.Same(w1[others], w0[others]),
            "the fine-tune moved other rows: a repair copying the whole reference would fail above"
        );
        var keys = HfCheckpoint.Open(suspect).Weights.Entries.Keys.Where(k => k != Rows).ToList();
        Assert.Contains("classifier.weight", keys);
        foreach (var k in keys)
            Assert.True(TensorAssert.Same(Read(outDir, k), Read(suspect, k)), $"{k} is written unchanged");
    }

    [Fact]
    public void Mixing_sets_a_random_share_of_every_encoder_entry_back_to_the_base_and_keeps_the_head()
    {
        var (baseDir, suspect) = (TestModels.TempDir(), TestModels.TempDir());
        using (var m = TestModels.TinyClassifier(7))
            HfCheckpoint.Save(baseDir, m, m.Config, TestModels.Tokenizer(), "base");
        using (var m = TestModels.TinyClassifier(8)) // every weight differs from the base's
            HfCheckpoint.Save(suspect, m, m.Config, TestModels.Tokenizer(), "trained through");
        var outDir = Path.Combine(TestModels.TempDir(), "mixed");
        var report = ModelRepair.Run(suspect, baseDir, outDir, new AuditOptions(), new RepairOptions { ResetShare = 0.3 }, _ => { });

        Assert.NotNull(report.Mix);
        Assert.InRange(report.Mix!.Reset / (double)report.Mix.Entries, 0.27, 0.33);
        using var scope = NewDisposeScope();
        const string query = "bert.encoder.layer.0.attention.self.query.weight";
        var (b, s, r) = (Read(baseDir, query), Read(suspect, query), Read(outDir, query));
        var fromBase = r.eq(b);
        Assert.True(fromBase.logical_or(r.eq(s)).all().item<bool>(), "every entry is the base's or the suspect's");
        Assert.InRange(fromBase.to_type(ScalarType.Float32).mean().item<float>(), 0.2, 0.4);
        Assert.True(TensorAssert.Same(Read(outDir, "classifier.weight"), Read(suspect, "classifier.weight")), "the head is kept");

        var again = Path.Combine(TestModels.TempDir(), "again");
        ModelRepair.Run(suspect, baseDir, again, new AuditOptions(), new RepairOptions { ResetShare = 0.3 }, _ => { });
        Assert.True(TensorAssert.Same(Read(again, query), r), "the seed decides the entries");
        Assert.Throws<PsimException>(() => new RepairOptions { ResetShare = 1 }.Validate());
    }

    [Fact]
    public void A_clean_checkpoint_is_written_unchanged()
    {
        var (baseDir, suspect) = AuditTests.Checkpoints(plant: false);
        var outDir = Path.Combine(TestModels.TempDir(), "repaired");
        var report = ModelRepair.Run(suspect, baseDir, outDir, new AuditOptions(), new RepairOptions(), _ => { });
        Assert.Empty(report.ResetRows);
        Assert.Null(report.Mix);
        using var scope = NewDisposeScope();
        Assert.True(TensorAssert.Same(Read(outDir, Rows), Read(suspect, Rows)));
    }

    [Fact]
    public void The_command_writes_a_folder_psim_and_transformers_open_with_its_evidence()
    {
        var (baseDir, suspect) = AuditTests.Checkpoints(plant: true);
        var outDir = Path.Combine(TestModels.TempDir(), "repaired");
        var (code, output, err) = TestCli.Psim("repair", "--model", suspect, "--reference", baseDir, "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains($"'{AuditTests.Trigger}'", output);
        Assert.Contains("after: clean", output);
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, ModelRepair.ReportFile))).RootElement;
        Assert.Equal(AuditTests.Trigger, report.GetProperty("reset_rows")[0].GetProperty("token").GetString());
        Assert.Equal("clean", report.GetProperty("after_repair").GetProperty("verdict").GetString());
        Assert.Equal(RunStatus.Finished, RunFile.StatusOf(outDir));

        (code, output, err) = TestCli.Psim("audit", "--model", outDir, "--reference", baseDir, "--fail-on-flag");
        Assert.True(code == 0, err + output); // the repaired folder opens as a checkpoint and passes the audit

        (code, _, err) = TestCli.Psim("repair", "--model", suspect, "--reference", baseDir, "--out", suspect);
        Assert.Equal(1, code); // never written over its input
        Assert.Contains(suspect, err);
    }

    [Fact]
    public void Row_ids_outside_the_table_are_refused()
    {
        using var scope = NewDisposeScope();
        var (rows, reference) = (zeros(4, 3), ones(4, 3));
        var e = Assert.Throws<PsimException>(() => EmbeddingRowReset.Apply(rows, reference, [4]));
        Assert.Contains("[0, 4)", e.Message);
        EmbeddingRowReset.Apply(rows, reference, [1, 3]);
        Assert.Equal([0f, 1f, 0f, 1f], rows.sum(1).data<float>().ToArray().Select(x => x / 3));
    }
}
