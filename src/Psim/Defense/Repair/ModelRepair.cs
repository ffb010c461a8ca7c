using Psim.Defense.Audit;
using Psim.IO;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Defense.Repair;

/// <summary>What <c>psim repair</c> did: the audit it acted on, the rows it reset to the reference, the weight entries it mixed back (null: none), and the audit of the repaired checkpoint.</summary>
public sealed record RepairReport(
    string Model,
    string Reference,
    string Out,
    AuditReport Audit,
    IReadOnlyList<RowDrift> ResetRows,
    WeightMix? Mix,
    AuditReport AfterRepair
);

/// <summary>
/// A checkpoint a victim can adapt: the word-embedding rows <see cref="ModelAudit"/> names as suspect are reset to the
/// clean reference (<see cref="EmbeddingRowReset"/>); with <see cref="RepairOptions.ResetShare"/> above 0, a random share
/// of every encoder weight's entries too (<see cref="WeightMixing"/>), for a backdoor spread over the encoder (BadNet by
/// full fine-tuning, LWP, POR, NeuBA), which the rows alone do not reach. The head is written unchanged.
/// </summary>
public static class ModelRepair
{
    public const string ReportFile = "repair.json";
    public static readonly OptionsGroup<RepairOptions> Settings = new("repair", "repair", typeof(RepairOptions));

    /// <summary>The encoder of a loaded checkpoint: the classifier's, or the checkpoint itself.</summary>
    private static BertModel Encoder(nn.Module m) =>
        m switch
        {
            BertForSequenceClassification c => c.Bert,
            BertModel b => b,
            _ => throw new InvalidOperationException($"no BERT encoder in a {m.GetType().Name}"),
        };

    public static RepairReport Run(string model, string reference, string outDir, AuditOptions o, RepairOptions ro, Action<string> log)
    {
        o.Validate();
        ro.Validate();
        var ckpt = ModelResolver.Open(model, log);
        var clean = ModelResolver.Open(reference, log); // opened once: its rows, and its encoder when mixing
        using var scope = NewDisposeScope();
        using var w0 = ModelAudit.ReferenceRows(ckpt, model, clean, reference);
        using nn.Module m = ckpt.HasClassifierHead ? ckpt.LoadClassifier(out _) : ckpt.LoadEncoder(out _);
        var rows = Encoder(m).Embeddings.WordEmbeddings.weight!; // the checkpoint's rows as loaded: audited, reset, written and audited again, read once
        var audit = ModelAudit.Report(model, reference, w0, rows, ckpt.Tokenizer.Vocab, o);
        var reset = audit.Embeddings!.TopRows.Where(r => r.Suspect).ToList();
        EmbeddingRowReset.Apply(rows, w0, reset.Select(r => r.Id).ToList());
        var mix = ro.ResetShare > 0 ? Mix(Encoder(m), clean, reference, ro, log) : null;
        string origin =
            $"psim repair: {reset.Count} word-embedding row(s) of {ckpt.Origin} reset to {reference}{(mix is null ? "" : $", {mix.Share:P0} of its encoder weights mixed back")}";
        HfCheckpoint.Save(outDir, m, m is BertForSequenceClassification c ? c.Config : ckpt.Config, ckpt.Tokenizer, origin);
        log($"repair: reset {reset.Count} row(s){(reset.Count == 0 ? "" : ": " + string.Join(", ", reset.Select(r => $"'{r.Token}'")))}");
        var after = ModelAudit.Report(outDir, reference, w0, rows, ckpt.Tokenizer.Vocab, o); // the written rows, audited as written
        return new RepairReport(model, reference, Path.GetFullPath(outDir), audit, reset, mix, after);
    }

    private static WeightMix Mix(BertModel encoder, HfCheckpoint clean, string reference, RepairOptions ro, Action<string> log)
    {
        using var cleanEncoder = clean.LoadEncoder(out _);
        var mix = WeightMixing.Apply(encoder, cleanEncoder, ro.ResetShare, ro.Seed);
        log($"repair: {mix.Reset:N0} of {mix.Entries:N0} encoder weight entries ({mix.Tensors} tensors) reset to {reference}");
        return mix;
    }
}
