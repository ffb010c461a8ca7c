using Psim.Defense.Audit;
using Psim.IO;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Defense.Repair;

/// <summary>What <c>psim repair</c> did: the audit it acted on, the rows it reset to the reference, and the audit of the repaired checkpoint.</summary>
public sealed record RepairReport(
    string Model,
    string Reference,
    string Out,
    AuditReport Audit,
    IReadOnlyList<RowDrift> ResetRows,
    AuditReport AfterRepair
);

/// <summary>
/// A checkpoint a victim can adapt: the word-embedding rows <see cref="ModelAudit"/> names as suspect are reset to the
/// clean reference (<see cref="EmbeddingRowReset"/>); everything else, the head included, is written unchanged. A
/// backdoor spread over the encoder (BadNet by full fine-tuning, LWP, POR, NeuBA) is not touched by this step.
/// </summary>
public static class ModelRepair
{
    public const string ReportFile = "repair.json";

    private static Tensor WordEmbeddings(nn.Module m) =>
        m switch
        {
            BertForSequenceClassification c => c.Bert.Embeddings.WordEmbeddings.weight!,
            BertModel b => b.Embeddings.WordEmbeddings.weight!,
            _ => throw new InvalidOperationException($"no word embeddings in a {m.GetType().Name}"),
        };

    public static RepairReport Run(string model, string reference, string outDir, AuditOptions o, Action<string> log)
    {
        o.Validate();
        var ckpt = ModelResolver.Open(model, log);
        using var scope = NewDisposeScope();
        using var w0 = ModelAudit.ReferenceRows(ckpt, model, reference, log);
        using nn.Module m = ckpt.HasClassifierHead ? ckpt.LoadClassifier(out _) : ckpt.LoadEncoder(out _);
        var rows = WordEmbeddings(m); // the checkpoint's rows as loaded: audited, reset, written and audited again, read once
        var audit = ModelAudit.Report(model, reference, w0, rows, ckpt.Tokenizer.Vocab, o);
        var reset = audit.Embeddings!.TopRows.Where(r => r.Suspect).ToList();
        EmbeddingRowReset.Apply(rows, w0, reset.Select(r => r.Id).ToList());
        string origin = $"psim repair: {reset.Count} word-embedding row(s) of {ckpt.Origin} reset to {reference}";
        HfCheckpoint.Save(outDir, m, m is BertForSequenceClassification c ? c.Config : ckpt.Config, ckpt.Tokenizer, origin);
        log($"repair: reset {reset.Count} row(s){(reset.Count == 0 ? "" : ": " + string.Join(", ", reset.Select(r => $"'{r.Token}'")))}");
        var after = ModelAudit.Report(outDir, reference, w0, rows, ckpt.Tokenizer.Vocab, o); // the written rows, audited as written
        return new RepairReport(model, reference, Path.GetFullPath(outDir), audit, reset, after);
    }
}
