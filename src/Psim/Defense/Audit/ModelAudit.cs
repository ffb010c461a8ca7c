using Psim.IO;
using Psim.Text;
using static TorchSharp.torch;

namespace Psim.Defense.Audit;

/// <summary>The audit's verdict on a checkpoint.</summary>
public enum AuditVerdict
{
    Clean,
    Suspicious,
}

/// <summary>What <c>psim audit</c> reports: the verdict, why, and the evidence (the word-embedding rows that moved most, with their tokens).</summary>
public sealed record AuditReport(
    string Model,
    string Reference,
    AuditVerdict Verdict,
    string Reason,
    EmbeddingFindings Embeddings,
    AuditOptions Options
);

/// <summary>
/// A verdict on a downloaded checkpoint before it is adapted, against the clean base it claims to derive from:
/// the word-embedding rows that moved far more than the rest are named (<see cref="EmbeddingRowDrift"/>). Covers the
/// attacks that implant trigger rows (EP, SOS, RIPPLES' surgery); a backdoor spread over the encoder (BadNet by full
/// fine-tuning, LWP, POR, NeuBA) needs signals this slice does not have yet.
/// </summary>
public static class ModelAudit
{
    public static readonly OptionsGroup<AuditOptions> Settings = new("audit", "audit", typeof(AuditOptions));

    private const string WordEmbeddings = "embeddings.word_embeddings.weight";

    public static AuditReport Run(string model, string reference, AuditOptions o, Action<string> log)
    {
        o.Validate();
        var suspect = ModelResolver.Open(model, log);
        var clean = ModelResolver.Open(reference, log);
        var (suspectKey, cleanKey) = (WordEmbeddingsKey(suspect, model), WordEmbeddingsKey(clean, reference));
        var (suspectShape, cleanShape) = (suspect.Weights.Entries[suspectKey].Shape, clean.Weights.Entries[cleanKey].Shape);
        if (!suspectShape.SequenceEqual(cleanShape))
            throw new PsimException(
                $"{model}: its word embeddings are [{string.Join(", ", suspectShape)}], the reference's ({reference}) [{string.Join(", ", cleanShape)}]: not the same base; give the base it was fine-tuned from"
            );
        using var w0 = clean.Weights.Read(cleanKey);
        using var w1 = suspect.Weights.Read(suspectKey);
        return Report(model, reference, w0, w1, suspect.Tokenizer.Vocab, o);
    }

    /// <summary>The audit of word embeddings <paramref name="w1"/> [V, H] against the reference's <paramref name="w0"/> [V, H].</summary>
    public static AuditReport Report(string model, string reference, Tensor w0, Tensor w1, WordPieceVocab vocab, AuditOptions o)
    {
        var findings = EmbeddingRowDrift.Measure(w0, w1, id => id < vocab.Count ? vocab.Token((int)id) : $"[row {id}]", o);
        var (verdict, reason) = Verdict(findings, o);
        return new AuditReport(model, reference, verdict, reason, findings, o);
    }

    private static (AuditVerdict, string) Verdict(EmbeddingFindings f, AuditOptions o)
    {
        if (f.SuspectRows == 0)
            return (AuditVerdict.Clean, $"no word-embedding row moved {o.RowRatio:0.##}x more than the row of rank {o.Rank}");
        var named = f.TopRows.Where(r => r.Suspect).Select(r => $"'{r.Token}' ({r.Ratio:0.#}x)");
        return (AuditVerdict.Suspicious, $"{f.SuspectRows} word-embedding row(s) moved far more than the rest: {string.Join(", ", named)}");
    }

    /// <summary>The word-embedding tensor's name in a checkpoint (with or without the <c>bert.</c> prefix).</summary>
    public static string WordEmbeddingsKey(HfCheckpoint c, string source) =>
        c.Weights.Entries.Keys.FirstOrDefault(k => k == WordEmbeddings || k == "bert." + WordEmbeddings)
        ?? throw new PsimFormatException($"{source}: no {WordEmbeddings} tensor; psim audits BERT-family checkpoints");
}
