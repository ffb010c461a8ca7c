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

/// <summary>
/// What <c>psim audit</c> reports: the verdict, why, and the evidence of each signal it ran: the word-embedding rows that
/// moved most from the reference (with a reference), the tokens that act as triggers when inserted into clean text (with clean texts).
/// </summary>
public sealed record AuditReport(
    string Model,
    string? Reference,
    AuditVerdict Verdict,
    string Reason,
    EmbeddingFindings? Embeddings,
    SweepFindings? Sweep,
    AuditOptions Options,
    SweepOptions? SweepOptions
);

/// <summary>
/// A verdict on a downloaded checkpoint before it is adapted. Against the clean base it claims to derive from, the
/// word-embedding rows that moved far more than the rest are named (<see cref="EmbeddingRowDrift"/>: EP, SOS, RIPPLES'
/// surgery). Without a reference, on clean texts of the task, every token of the vocabulary is tried as a trigger
/// (<see cref="TokenSweep"/>: a token that sends other classes' sentences to one class, or collapses the [CLS] output).
/// Suspicious when either signal names something.
/// </summary>
public static class ModelAudit
{
    public static readonly OptionsGroup<AuditOptions> Settings = new("audit", "audit", typeof(AuditOptions));
    public static readonly OptionsGroup<SweepOptions> SweepSettings = new("sweep", "audit sweep", typeof(SweepOptions));

    private const string WordEmbeddings = "embeddings.word_embeddings.weight";

    /// <summary>The embedding audit against a reference alone.</summary>
    public static AuditReport Run(string model, string reference, AuditOptions o, Action<string> log) =>
        Run(model, reference, null, o, new SweepOptions(), log);

    /// <param name="reference">the clean base ('minilm' or a folder), or null for no embedding audit</param>
    /// <param name="cleanTexts">clean texts of the task for the sweep, or null for no sweep</param>
    public static AuditReport Run(
        string model,
        string? reference,
        IReadOnlyList<string>? cleanTexts,
        AuditOptions o,
        SweepOptions so,
        Action<string> log,
        CancellationToken ct = default
    )
    {
        o.Validate();
        so.Validate();
        if (reference is null && cleanTexts is null)
            throw new PsimException("the audit needs a clean reference (--reference), clean texts of the task (--texts), or both");
        var suspect = ModelResolver.Open(model, log);
        var embeddings = reference is null ? null : Embeddings(suspect, model, reference, o, log);
        var sweep = cleanTexts is null ? null : TokenSweep.Run(suspect, cleanTexts, so, log, ct);
        return Judge(model, reference, embeddings, sweep, o, cleanTexts is null ? null : so);
    }

    private static EmbeddingFindings Embeddings(HfCheckpoint suspect, string model, string reference, AuditOptions o, Action<string> log)
    {
        using var w0 = ReferenceRows(suspect, model, reference, log);
        using var w1 = suspect.Weights.Read(WordEmbeddingsKey(suspect, model));
        return Measure(w0, w1, suspect.Tokenizer.Vocab, o);
    }

    /// <summary>The reference's word embeddings [V, H], refused (naming both) unless their shape is the suspect checkpoint's.</summary>
    public static Tensor ReferenceRows(HfCheckpoint suspect, string model, string reference, Action<string> log) =>
        ReferenceRows(suspect, model, ModelResolver.Open(reference, log), reference);

    /// <summary>The opened reference's word embeddings, refused unless they have the suspect's shape.</summary>
    public static Tensor ReferenceRows(HfCheckpoint suspect, string model, HfCheckpoint clean, string reference)
    {
        var (suspectKey, cleanKey) = (WordEmbeddingsKey(suspect, model), WordEmbeddingsKey(clean, reference));
        var (suspectShape, cleanShape) = (suspect.Weights.Entries[suspectKey].Shape, clean.Weights.Entries[cleanKey].Shape);
        if (!suspectShape.SequenceEqual(cleanShape))
            throw new PsimException(
                $"{model}: its word embeddings are [{string.Join(", ", suspectShape)}], the reference's ({reference}) [{string.Join(", ", cleanShape)}]: not the same base; give the base it was fine-tuned from"
            );
        return clean.Weights.Read(cleanKey);
    }

    /// <summary>The embedding audit of word embeddings <paramref name="w1"/> [V, H] against the reference's <paramref name="w0"/> [V, H].</summary>
    public static AuditReport Report(string model, string reference, Tensor w0, Tensor w1, WordPieceVocab vocab, AuditOptions o) =>
        Judge(model, reference, Measure(w0, w1, vocab, o), null, o, null);

    private static EmbeddingFindings Measure(Tensor w0, Tensor w1, WordPieceVocab vocab, AuditOptions o) =>
        EmbeddingRowDrift.Measure(w0, w1, id => id < vocab.Count ? vocab.Token((int)id) : $"[row {id}]", o);

    private static AuditReport Judge(
        string model,
        string? reference,
        EmbeddingFindings? e,
        SweepFindings? s,
        AuditOptions o,
        SweepOptions? so
    )
    {
        var found = new List<string>();
        if (e is { SuspectRows: > 0 })
            found.Add(
                $"{e.SuspectRows} word-embedding row(s) moved far more than the rest: {string.Join(", ", e.TopRows.Where(r => r.Suspect).Select(r => $"'{r.Token}' ({r.Ratio:0.#}x)"))}"
            );
        if (s is { SuspectTokens: > 0 })
            found.Add(
                $"{s.SuspectTokens} token(s) act as triggers when inserted into clean text: {string.Join(", ", s.Tokens.Where(t => t.Suspect).Take(10).Select(Describe))}"
            );
        if (found.Count > 0)
            return new AuditReport(model, reference, AuditVerdict.Suspicious, string.Join("; ", found), e, s, o, so);
        var clean = new List<string>();
        if (e is not null)
            clean.Add($"no word-embedding row moved {o.RowRatio:0.##}x more than the row of rank {o.Rank}");
        if (s is not null && so is not null)
            clean.Add(
                $"no token of {s.Candidates:N0} collapses the [CLS] outputs of the clean sentences it is inserted into below {so.Collapse:0.##} of their spread"
            );
        return new AuditReport(model, reference, AuditVerdict.Clean, string.Join("; ", clean), e, s, o, so);
    }

    private static string Describe(TokenScore t) =>
        t.Flip is double f && t.FlipClass is int c
            ? $"'{t.Token}' (flips {f:P0} to class {c}, collapse {t.Collapse:0.##})"
            : $"'{t.Token}' (collapse {t.Collapse:0.##})";

    /// <summary>The word-embedding tensor's name in a checkpoint (with or without the <c>bert.</c> prefix).</summary>
    public static string WordEmbeddingsKey(HfCheckpoint c, string source) =>
        c.Weights.Entries.Keys.FirstOrDefault(k => k == WordEmbeddings || k == "bert." + WordEmbeddings)
        ?? throw new PsimFormatException($"{source}: no {WordEmbeddings} tensor; psim audits BERT-family checkpoints");
}
