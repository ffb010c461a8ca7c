using Psim.IO;

namespace Psim.Inspection;

/// <summary>What <c>psim model info</c> reports, computed from the config and the safetensors header alone.</summary>
public sealed record ModelSummary(
    string Directory,
    string Origin,
    string Architecture,
    int Layers,
    int Hidden,
    int Heads,
    int Intermediate,
    string Activation,
    int MaxPositions,
    int VocabSize,
    int VocabFileEntries,
    bool LowerCase,
    long EncoderParameters,
    long EmbeddingParameters,
    long PoolerParameters,
    long HeadParameters,
    int? HeadClasses,
    long OtherElements,
    IReadOnlyDictionary<string, int> DTypes
)
{
    public long TotalParameters => EncoderParameters + HeadParameters;

    /// <summary>The summary of a model: 'minilm' or a Hugging Face folder.</summary>
    public static ModelSummary Of(string model, Action<string> log) => From(ModelResolver.Open(model, log));

    public static ModelSummary From(HfCheckpoint ckpt)
    {
        long enc = 0,
            emb = 0,
            pool = 0,
            head = 0,
            other = 0;
        var dtypes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var (rawKey, e) in ckpt.Weights.Entries)
        {
            var key = rawKey.StartsWith("bert.", StringComparison.Ordinal) ? rawKey[5..] : rawKey;
            long n = e.Shape.Aggregate(1L, (a, d) => a * d);
            dtypes[e.DType] = dtypes.GetValueOrDefault(e.DType) + 1;
            if (key.EndsWith("position_ids", StringComparison.Ordinal))
            {
                other += n;
                continue;
            }
            if (key.StartsWith("classifier.", StringComparison.Ordinal))
            {
                head += n;
                continue;
            }
            if (key.StartsWith("embeddings.", StringComparison.Ordinal))
                emb += n;
            else if (key.StartsWith("pooler.", StringComparison.Ordinal))
                pool += n;
            else if (!key.StartsWith("encoder.", StringComparison.Ordinal))
            {
                other += n;
                continue;
            }
            enc += n;
        }
        var c = ckpt.Config;
        return new ModelSummary(
            Path.GetFullPath(ckpt.Directory),
            ckpt.Origin,
            ckpt.HasClassifierHead ? "BertForSequenceClassification" : "BertModel",
            c.NumHiddenLayers,
            c.HiddenSize,
            c.NumAttentionHeads,
            c.IntermediateSize,
            c.HiddenAct,
            c.MaxPositionEmbeddings,
            c.VocabSize,
            ckpt.Tokenizer.Vocab.Count,
            ckpt.Tokenizer.Options.DoLowerCase,
            enc,
            emb,
            pool,
            head,
            ckpt.HasClassifierHead ? c.NumLabels : null,
            other,
            dtypes
        );
    }
}
