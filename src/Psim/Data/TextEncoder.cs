using Psim.Text;
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
/// Token ids for the encoder: <see cref="BertTokenizer"/>'s WordPiece ids (transformers' exactly), then
/// [CLS] ... [SEP], truncated to a maximum length. Batches are padded per batch.
/// </summary>
public sealed class TextEncoder
{
    public BertTokenizer Tokenizer { get; }
    public int MaxLength { get; }
    public int PadId { get; }
    public int ClsId { get; }
    public int SepId { get; }

    public TextEncoder(BertTokenizer tokenizer, int maxLength)
    {
        if (maxLength < 3)
            throw new PsimException($"max length {maxLength} is too small: [CLS] and [SEP] alone take 2 tokens");
        Tokenizer = tokenizer;
        MaxLength = maxLength;
        var o = tokenizer.Options;
        PadId = tokenizer.Vocab.Require(o.PadToken, "padding");
        ClsId = tokenizer.Vocab.Require(o.ClsToken, "classification");
        SepId = tokenizer.Vocab.Require(o.SepToken, "separator");
    }

    /// <summary>[CLS] wordpieces [SEP], with the wordpieces cut so the whole fits <see cref="MaxLength"/>.</summary>
    public int[] Encode(string text)
    {
        var pieces = Tokenizer.Encode(text);
        int keep = Math.Min(pieces.Length, MaxLength - 2);
        var ids = new int[keep + 2];
        ids[0] = ClsId;
        Array.Copy(pieces, 0, ids, 1, keep);
        ids[keep + 1] = SepId;
        return ids;
    }

    /// <summary>The vocabulary id of a word that is exactly one known wordpiece (a row of the embedding matrix of its own), else null.</summary>
    public int? WordpieceId(string word)
    {
        var ids = Tokenizer.Encode(word);
        return ids.Length == 1 && ids[0] != Tokenizer.UnkId ? ids[0] : null;
    }

    public EncodedBatch EncodeBatch(IReadOnlyList<string> texts) => Pad(texts.Select(Encode).ToList());

    /// <summary>Pads token-id rows to the longest row with [PAD]; mask 1 on real tokens, segment ids 0.</summary>
    public EncodedBatch Pad(IReadOnlyList<int[]> rows)
    {
        if (rows.Count == 0)
            throw new ArgumentException("empty batch");
        int b = rows.Count,
            s = rows.Max(r => r.Length);
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
