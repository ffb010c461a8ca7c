using Microsoft.ML.Tokenizers;
using static TorchSharp.torch;

namespace Psim.Data;

/// <summary>A batch ready for the encoder: ids, mask and segment ids, each [B, S] int64, padded to the longest row.</summary>
public sealed record EncodedBatch(Tensor InputIds, Tensor AttentionMask, Tensor TokenTypeIds) : IDisposable
{
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
    }
}

/// <summary>
/// BERT WordPiece tokenisation as transformers' BertTokenizer does it: basic tokenisation
/// (lower-casing and accent stripping when the vocabulary is uncased, CJK characters split),
/// WordPiece, then [CLS] ... [SEP], truncated to a maximum length. Batches are padded per batch.
/// </summary>
public sealed class TextEncoder
{
    private readonly BertTokenizer _tok;

    public int MaxLength { get; }
    public bool LowerCase { get; }
    public int VocabSize { get; }
    public int PadId => _tok.PaddingTokenId;
    public int ClsId => _tok.ClassificationTokenId;
    public int SepId => _tok.SeparatorTokenId;

    public TextEncoder(string vocabPath, bool lowerCase, int maxLength)
    {
        if (!File.Exists(vocabPath)) throw new PsimException($"{vocabPath}: vocabulary file not found");
        if (maxLength < 3) throw new PsimException($"max length {maxLength} is too small: [CLS] and [SEP] alone take 2 tokens");
        LowerCase = lowerCase;
        MaxLength = maxLength;
        using var stream = File.OpenRead(vocabPath);
        _tok = BertTokenizer.Create(stream, new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            RemoveNonSpacingMarks = lowerCase, // transformers: strip_accents follows do_lower_case unless set
            IndividuallyTokenizeCjk = true,
            ApplyBasicTokenization = true,
        });
        VocabSize = File.ReadLines(vocabPath).Count();
    }

    /// <summary>[CLS] wordpieces [SEP], with the wordpieces cut so the whole fits <see cref="MaxLength"/>.</summary>
    public int[] Encode(string text)
    {
        var pieces = _tok.EncodeToIds(text, addSpecialTokens: false, considerPreTokenization: true, considerNormalization: true);
        int keep = Math.Min(pieces.Count, MaxLength - 2);
        var ids = new int[keep + 2];
        ids[0] = ClsId;
        for (int i = 0; i < keep; i++) ids[i + 1] = pieces[i];
        ids[keep + 1] = SepId;
        return ids;
    }

    public EncodedBatch EncodeBatch(IReadOnlyList<string> texts) => Pad(texts.Select(Encode).ToList());

    /// <summary>Pads token-id rows to the longest row with [PAD]; mask 1 on real tokens, segment ids 0.</summary>
    public EncodedBatch Pad(IReadOnlyList<int[]> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("empty batch");
        int b = rows.Count, s = rows.Max(r => r.Length);
        var ids = new long[b * s];
        var mask = new long[b * s];
        for (int i = 0; i < b; i++)
        {
            var r = rows[i];
            for (int j = 0; j < s; j++)
            {
                bool real = j < r.Length;
                ids[i * s + j] = real ? r[j] : PadId;
                mask[i * s + j] = real ? 1 : 0;
            }
        }
        return new EncodedBatch(tensor(ids, [b, s]), tensor(mask, [b, s]), zeros(b, s, ScalarType.Int64));
    }
}
