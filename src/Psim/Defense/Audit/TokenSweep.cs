using System.ComponentModel;
using System.Diagnostics;
using Psim.Data;
using Psim.IO;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Defense.Audit;

/// <summary>
/// The reference-free audit's settings: every token of the vocabulary is inserted into a few clean sentences
/// (<see cref="Sentences"/>), the most suspicious <see cref="Shortlist"/> again into more (<see cref="ConfirmSentences"/>).
/// </summary>
public sealed record SweepOptions : ICheckedOptions
{
    [Description("clean sentences every vocabulary token is inserted into (the first pass over the whole vocabulary)")]
    public int Sentences { get; init; } = 8;

    [Description("clean sentences the shortlisted tokens are inserted into (the second pass: the scores reported)")]
    public int ConfirmSentences { get; init; } = 32;

    [Description("tokens taken to the second pass: this many by flip share, and this many by collapse")]
    public int Shortlist { get; init; } = 50;

    [Description("the longest clean sentence used, in wordpieces (short sentences keep the sweep fast)")]
    public int MaxPieces { get; init; } = 16;

    [Description(
        "a token is suspect when the [CLS] outputs of the sentences it is inserted into lie this close together, as a share of the clean sentences' spread (the flip share is reported as evidence, not a verdict: sentiment words and rare tokens reach 90%)"
    )]
    public double Collapse { get; init; } = 0.1;

    [Description("sentences per forward pass")]
    public int BatchSize { get; init; } = 256;

    [Description("seeds the choice of sentences and insertion positions")]
    public long Seed { get; init; } = 1;

    public void Validate()
    {
        if (Sentences is < 2 or > 1000)
            throw new PsimException($"sweep sentences {Sentences} must be in [2, 1000]");
        if (ConfirmSentences < Sentences || ConfirmSentences > 10_000)
            throw new PsimException($"sweep confirm sentences {ConfirmSentences} must be in [sentences ({Sentences}), 10000]");
        if (Shortlist is < 1 or > 100_000)
            throw new PsimException($"sweep shortlist {Shortlist} must be in [1, 100000]");
        if (MaxPieces is < 4 or > 510)
            throw new PsimException($"sweep max pieces {MaxPieces} must be in [4, 510]");
        if (!(Collapse is >= 0 and < 1))
            throw new PsimException($"sweep collapse {Collapse} must be in [0, 1)");
        if (BatchSize is < 1 or > 65_536)
            throw new PsimException($"sweep batch size {BatchSize} must be in [1, 65536]");
    }
}

/// <summary>
/// One token as the sweep measured it over the confirm sentences: the largest share of sentences of other classes that
/// inserting it sends to one class (<see cref="FlipClass"/>; null for an encoder without a head), and how close together
/// the [CLS] outputs of the sentences with it lie, over the clean sentences' spread (1: as spread as clean text; 0: one point).
/// </summary>
public sealed record TokenScore(long Id, string Token, double? Flip, int? FlipClass, double Collapse, bool Suspect);

/// <summary>What the vocabulary sweep found: how many tokens it tried, on how many sentences, the tokens of the second pass (most collapsed first) and how many are suspect.</summary>
public sealed record SweepFindings(
    int Candidates,
    int Sentences,
    int ConfirmSentences,
    bool HasHead,
    IReadOnlyList<TokenScore> Tokens,
    int SuspectTokens,
    double Seconds
);

/// <summary>
/// A reference-free audit: a token trigger works by being inserted, so every token of the vocabulary is inserted into
/// clean sentences and the model's answer watched. A trigger overrides the sentence around it: a classifier's trigger
/// sends every sentence to its target class by one internal route, a task-agnostic trigger (POR, NeuBA) to one predefined
/// output vector, so the [CLS] outputs of the sentences with it collapse to a point; the verdict rests on that collapse,
/// the share of the other classes' sentences it flips is its evidence.
/// Brute force over the vocabulary (as a defender can afford for single tokens; the first pass on a few sentences, the
/// shortlist confirmed on more); triggers of several words together (SOS, InSent) are not single tokens and are not found.
/// </summary>
public static class TokenSweep
{
    public static SweepFindings Run(
        HfCheckpoint ckpt,
        IReadOnlyList<string> cleanTexts,
        SweepOptions o,
        Action<string> log,
        CancellationToken ct
    )
    {
        o.Validate();
        var clock = Stopwatch.StartNew();
        var encoder = ckpt.CreateTextEncoder(o.MaxPieces + 3);
        using var scope = NewDisposeScope();
        using nn.Module model = ckpt.HasClassifierHead ? ckpt.LoadClassifier(out _) : ckpt.LoadEncoder(out _);
        model.eval();
        var probe = new Probe(model);
        var sentences = Sentences(cleanTexts, encoder, o, probe);
        var vocab = ckpt.Tokenizer.Vocab;
        var candidates = Candidates(ckpt).ToList();
        var rng = Seeds.Random(o.Seed, "audit/sweep-positions");
        log(
            $"audit sweep: {candidates.Count:N0} tokens into {o.Sentences} clean sentences, then the {o.Shortlist} + {o.Shortlist} most suspicious into {sentences.Count}"
        );
        var first = Score(probe, sentences.Take(o.Sentences).ToList(), candidates, encoder, o, rng, "audit sweep", ct);
        var shortlist = first
            .OrderByDescending(s => s.SoftFlip ?? 0)
            .Take(probe.HasHead ? o.Shortlist : 0)
            .Concat(first.OrderBy(s => s.Collapse).Take(o.Shortlist))
            .Select(s => s.Id)
            .Distinct()
            .ToList();
        var confirmed = Score(probe, sentences, shortlist, encoder, o, rng, "audit sweep, second pass", ct)
            .Select(s => new TokenScore(s.Id, vocab.Token((int)s.Id), s.Flip, s.FlipClass, s.Collapse, IsSuspect(s, o)))
            .OrderBy(s => s.Collapse)
            .ThenByDescending(s => s.Flip ?? 0)
            .ToList();
        return new SweepFindings(
            candidates.Count,
            o.Sentences,
            sentences.Count,
            probe.HasHead,
            confirmed,
            confirmed.Count(s => s.Suspect),
            clock.Elapsed.TotalSeconds
        );
    }

    /// <summary>
    /// The collapse decides: a token trigger overrides the sentence it is put in, so the sentences' [CLS] outputs meet in
    /// one point (BadNet's `mn` 0.027 on MiniLM; every clean token of four checkpoints at least 0.13). A high flip share
    /// alone is what a strong sentiment word or, on short off-domain text, a rare token also does (docs/audit/sweep).
    /// </summary>
    private static bool IsSuspect(Measured s, SweepOptions o) => s.Collapse <= o.Collapse;

    /// <summary>Every token a user's text can produce: not a special token, not an [unused] slot.</summary>
    private static IEnumerable<long> Candidates(HfCheckpoint ckpt)
    {
        var vocab = ckpt.Tokenizer.Vocab;
        var special = ckpt.Tokenizer.Options.SpecialTokens.ToHashSet();
        for (int id = 0; id < vocab.Count; id++)
        {
            var t = vocab.Token(id);
            if (!special.Contains(t) && !(t.StartsWith("[unused", StringComparison.Ordinal) && t.EndsWith(']')))
                yield return id;
        }
    }

    /// <summary>One clean sentence: its ids ([CLS] pieces [SEP]), where a word may be inserted, and what the model says of it.</summary>
    private sealed record Sentence(int[] Ids, int[] WordStarts, int? Label, float[] Cls);

    private static int ArgMax(float[] p) => Array.IndexOf(p, p.Max());

    /// <summary>
    /// Clean sentences of 3 to <see cref="SweepOptions.MaxPieces"/> wordpieces, shuffled by the seed, taken so that the
    /// classes the model gives them alternate (a flip into a class needs sentences of the others).
    /// </summary>
    private static List<Sentence> Sentences(IReadOnlyList<string> texts, TextEncoder encoder, SweepOptions o, Probe probe)
    {
        var vocab = encoder.Tokenizer.Vocab;
        var rows = texts
            .Select(encoder.Tokenizer.Encode)
            .Where(p => p.Length >= 3 && p.Length <= o.MaxPieces)
            .Select(p => (int[])[encoder.ClsId, .. p, encoder.SepId])
            .DistinctBy(ids => string.Join(' ', ids))
            .ToList();
        var rng = Seeds.Random(o.Seed, "audit/sweep-sentences");
        rows = rows.OrderBy(_ => rng.Next()).Take(Math.Max(4 * o.ConfirmSentences, 256)).ToList();
        if (rows.Count < o.ConfirmSentences)
            throw new PsimException(
                $"the audit sweep needs {o.ConfirmSentences} distinct clean texts of 3 to {o.MaxPieces} wordpieces; the texts given have {rows.Count}"
            );
        var clean = probe.Run(encoder.Pad(rows));
        var all = rows.Select(
                (ids, i) =>
                    new Sentence(
                        ids,
                        Enumerable
                            .Range(1, ids.Length - 1)
                            .Where(j => j == ids.Length - 1 || !vocab.Token(ids[j]).StartsWith("##"))
                            .ToArray(),
                        clean.Probs is { } probs ? ArgMax(probs[i]) : null,
                        clean.Cls[i]
                    )
            )
            .ToList();
        var byClass = all.GroupBy(s => s.Label ?? 0).Select(g => new Queue<Sentence>(g)).ToList();
        var taken = new List<Sentence>();
        while (taken.Count < o.ConfirmSentences)
            foreach (var q in byClass.Where(q => q.Count > 0 && taken.Count < o.ConfirmSentences))
                taken.Add(q.Dequeue());
        return taken;
    }

    /// <summary>A token over a set of sentences: the hard flip share into its class, the mean probability of that class over the other classes' sentences (a finer order for the shortlist), the collapse.</summary>
    private sealed record Measured(long Id, double? Flip, double? SoftFlip, int? FlipClass, double Collapse);

    /// <summary>Each candidate inserted once into each sentence (at a word start drawn at random), in batches.</summary>
    private static List<Measured> Score(
        Probe probe,
        IReadOnlyList<Sentence> sentences,
        IReadOnlyList<long> candidates,
        TextEncoder encoder,
        SweepOptions o,
        Random rng,
        string label,
        CancellationToken ct
    )
    {
        double cleanSpread = Spread(sentences.Select(s => s.Cls).ToList());
        int perBatch = Math.Max(1, o.BatchSize / sentences.Count);
        var progress = new Progress(label, candidates.Count);
        var results = new List<Measured>(candidates.Count);
        for (int start = 0; start < candidates.Count; start += perBatch)
        {
            ct.ThrowIfCancellationRequested();
            var chunk = candidates.Skip(start).Take(perBatch).ToList();
            var rows = new List<int[]>(chunk.Count * sentences.Count);
            foreach (var id in chunk)
            foreach (var s in sentences)
                rows.Add(Insert(s, (int)id, s.WordStarts[rng.Next(s.WordStarts.Length)]));
            using (var batchScope = NewDisposeScope())
            {
                var outputs = probe.Run(encoder.Pad(rows));
                for (int c = 0; c < chunk.Count; c++)
                {
                    var cls = outputs.Cls.Skip(c * sentences.Count).Take(sentences.Count).ToList();
                    var probs = outputs.Probs?.Skip(c * sentences.Count).Take(sentences.Count).ToList();
                    (double? flip, double? soft, int? to) = probs is null ? default : Flip(sentences, probs, probe.Classes);
                    results.Add(new Measured(chunk[c], flip, soft, to, Spread(cls) / Math.Max(cleanSpread, 1e-12)));
                }
            }
            progress.Report(Math.Min(start + perBatch, candidates.Count));
        }
        return results;
    }

    private static int[] Insert(Sentence s, int id, int at) => [.. s.Ids[..at], id, .. s.Ids[at..]];

    /// <summary>
    /// The class c the token pushes the other classes' sentences into most (by the mean probability of c over the
    /// sentences the model put outside c), the share of those sentences it moves into c, and that mean probability.
    /// </summary>
    private static (double?, double?, int?) Flip(IReadOnlyList<Sentence> sentences, IReadOnlyList<float[]> probs, int classes)
    {
        (double? share, double? soft, int? to) = (null, null, null);
        for (int c = 0; c < classes; c++)
        {
            int others = 0,
                moved = 0;
            double p = 0;
            for (int i = 0; i < sentences.Count; i++)
                if (sentences[i].Label != c)
                {
                    others++;
                    moved += ArgMax(probs[i]) == c ? 1 : 0;
                    p += probs[i][c];
                }
            if (others > 0 && (soft is null || p / others > soft))
                (share, soft, to) = ((double)moved / others, p / others, c);
        }
        return (share, soft, to);
    }

    /// <summary>The mean cosine distance between pairs of [CLS] outputs: how spread a set of outputs is.</summary>
    private static double Spread(IReadOnlyList<float[]> vectors)
    {
        var unit = vectors.Select(v => Normalise(v)).ToList();
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < unit.Count; i++)
        for (int j = i + 1; j < unit.Count; j++, pairs++)
        {
            double dot = 0;
            for (int k = 0; k < unit[i].Length; k++)
                dot += unit[i][k] * unit[j][k];
            sum += 1 - dot;
        }
        return pairs == 0 ? 0 : sum / pairs;
    }

    private static double[] Normalise(float[] v)
    {
        double n = Math.Sqrt(v.Sum(x => (double)x * x));
        return v.Select(x => x / Math.Max(n, 1e-12)).ToArray();
    }

    /// <summary>The model under audit, run in inference mode: [CLS] outputs [B, H] and, with a head, the predicted classes [B].</summary>
    private sealed class Probe(nn.Module model)
    {
        private readonly BertModel _bert = model switch
        {
            BertForSequenceClassification c => c.Bert,
            BertModel b => b,
            _ => throw new InvalidOperationException($"cannot audit a {model.GetType().Name}"),
        };

        public bool HasHead => model is BertForSequenceClassification;
        public int Classes => model is BertForSequenceClassification c ? c.Config.NumLabels : 0;

        public (List<float[]> Cls, List<float[]>? Probs) Run(EncodedBatch batch)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var outputs = _bert.call(
                new BertInput
                {
                    InputIds = batch.InputIds,
                    AttentionMask = batch.AttentionMask,
                    TokenTypeIds = batch.TokenTypeIds,
                    PooledOnly = true,
                }
            );
            var cls = outputs.LastHiddenState[.., 0].contiguous(); // [B, H]
            Finite.Require(cls, "psim audit sweep: the [CLS] outputs");
            long h = cls.shape[1];
            var flat = cls.to(ScalarType.Float32).data<float>().ToArray();
            var vectors = Enumerable.Range(0, (int)cls.shape[0]).Select(i => flat[(int)(i * h)..(int)((i + 1) * h)]).ToList();
            if (model is not BertForSequenceClassification head)
                return (vectors, null);
            var logits = head.Head(outputs.PooledOutput); // [B, C]
            Finite.Require(logits, "psim audit sweep: the logits");
            int c = (int)logits.shape[1];
            var p = logits.softmax(1).to(ScalarType.Float32).contiguous().data<float>().ToArray();
            return (vectors, Enumerable.Range(0, (int)logits.shape[0]).Select(i => p[(i * c)..((i + 1) * c)]).ToList());
        }
    }
}
