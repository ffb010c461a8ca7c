using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Psim.Models;

/// <summary>
/// The fields of a Hugging Face BERT <c>config.json</c> that define the architecture.
/// Unknown fields are kept (<see cref="Extra"/>) so a round trip does not lose them.
/// </summary>
public sealed record BertConfig
{
    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 30522;

    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; } = 768;

    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; } = 12;

    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; } = 12;

    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; } = 3072;

    [JsonPropertyName("hidden_act")]
    public string HiddenAct { get; init; } = "gelu";

    [JsonPropertyName("hidden_dropout_prob")]
    public double HiddenDropoutProb { get; init; } = 0.1;

    [JsonPropertyName("attention_probs_dropout_prob")]
    public double AttentionProbsDropoutProb { get; init; } = 0.1;

    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 512;

    [JsonPropertyName("type_vocab_size")]
    public int TypeVocabSize { get; init; } = 2;

    [JsonPropertyName("initializer_range")]
    public double InitializerRange { get; init; } = 0.02;

    [JsonPropertyName("layer_norm_eps")]
    public double LayerNormEps { get; init; } = 1e-12;

    [JsonPropertyName("pad_token_id")]
    public int PadTokenId { get; init; }

    [JsonPropertyName("classifier_dropout")]
    public double? ClassifierDropout { get; init; }

    [JsonPropertyName("num_labels")]
    public int? NumLabelsField { get; init; }

    [JsonPropertyName("id2label")]
    public Dictionary<string, string>? Id2Label { get; init; }

    [JsonPropertyName("model_type")]
    public string ModelType { get; init; } = "bert";

    [JsonPropertyName("architectures")]
    public List<string>? Architectures { get; init; }

    [JsonPropertyName("do_lower_case")]
    public bool? DoLowerCase { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }

    /// <summary>Number of classes of a classification head: id2label's size, else num_labels, else 2 (as in transformers).</summary>
    [JsonIgnore]
    public int NumLabels => Id2Label is { Count: > 0 } ? Id2Label.Count : NumLabelsField ?? 2;

    [JsonIgnore]
    public int HeadDim => HiddenSize / NumAttentionHeads;

    public BertConfig WithNumLabels(int n) =>
        this with
        {
            NumLabelsField = n,
            Id2Label = Enumerable.Range(0, n).ToDictionary(i => i.ToString(), i => $"LABEL_{i}"),
        };

    /// <summary>
    /// The most parameters psim builds a model with: BERT-large (335 million) fits; a config that declares more
    /// is refused before anything is allocated (a 10-million-word vocabulary at width 65,536 is 2.6 TB).
    /// </summary>
    public const long MaxParameters = 350_000_000;

    /// <summary>Parameters of the classifier this config describes (embeddings, layers, pooler, head), as transformers builds it.</summary>
    public long ParameterCount
    {
        get
        {
            long h = HiddenSize,
                i = IntermediateSize;
            long embeddings = ((long)VocabSize + MaxPositionEmbeddings + TypeVocabSize) * h + 2 * h;
            long layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h;
            return embeddings + NumHiddenLayers * layer + (h * h + h) + (h * NumLabels + NumLabels);
        }
    }

    /// <summary>Checks that the numbers describe a buildable model; throws <see cref="PsimFormatException"/> otherwise.</summary>
    public void Validate(string source)
    {
        void Need(bool ok, string what)
        {
            if (!ok)
                throw new PsimFormatException($"{source}: {what}");
        }
        Need(
            ModelType is "bert" or "roberta" or "distilbert" or "",
            $"model_type '{ModelType}' is not a BERT-family encoder psim supports (bert)"
        );
        Need(ModelType != "roberta" && ModelType != "distilbert", $"model_type '{ModelType}' is not supported yet; only 'bert' is");
        Need(VocabSize is > 0 and <= 10_000_000, $"vocab_size {VocabSize} is out of range");
        Need(HiddenSize is > 0 and <= 65_536, $"hidden_size {HiddenSize} is out of range");
        Need(NumHiddenLayers is > 0 and <= 1_000, $"num_hidden_layers {NumHiddenLayers} is out of range");
        Need(
            NumAttentionHeads > 0 && HiddenSize % NumAttentionHeads == 0,
            $"hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}"
        );
        Need(IntermediateSize is > 0 and <= 1_000_000, $"intermediate_size {IntermediateSize} is out of range");
        Need(MaxPositionEmbeddings is > 0 and <= 1_000_000, $"max_position_embeddings {MaxPositionEmbeddings} is out of range");
        Need(TypeVocabSize is > 0 and <= 1_000, $"type_vocab_size {TypeVocabSize} is out of range");
        Need(LayerNormEps is > 0 and < 1, $"layer_norm_eps {LayerNormEps} is out of range");
        Need(HiddenDropoutProb is >= 0 and < 1 && AttentionProbsDropoutProb is >= 0 and < 1, "dropout probabilities must be in [0, 1)");
        Need(
            HiddenAct is "gelu" or "gelu_new" or "gelu_pytorch_tanh" or "relu",
            $"hidden_act '{HiddenAct}' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu)"
        );
        Need(PadTokenId >= 0 && PadTokenId < VocabSize, $"pad_token_id {PadTokenId} is outside the vocabulary [0, {VocabSize - 1}]");
        Need(
            double.IsFinite(InitializerRange) && InitializerRange >= 0,
            $"initializer_range {InitializerRange} is not a finite non-negative number"
        );
        Need(ClassifierDropout is null || ClassifierDropout is >= 0 and < 1, $"classifier_dropout {ClassifierDropout} must be in [0, 1)");
        Need(NumLabels is > 0 and <= 100_000, $"num_labels {NumLabels} is out of range");
        Need(
            ParameterCount <= MaxParameters,
            $"the config describes a model of {ParameterCount:N0} parameters; psim builds models of up to {MaxParameters:N0} (BERT-large has 335 million)"
        );
        RefuseExtras(source);
    }

    /// <summary>
    /// config.json fields psim does not model but transformers honours, refused unless they hold the value
    /// that changes nothing: another position embedding, a decoder, cross-attention, pruned heads, or a
    /// multi-label / regression loss would all compute something psim does not.
    /// </summary>
    private void RefuseExtras(string source)
    {
        if (Extra is null)
            return;
        foreach (var (name, allowed) in NeutralOnly)
            if (Extra.TryGetValue(name, out var v) && !allowed(v))
                throw new PsimFormatException(
                    $"{source}: {name} {v.GetRawText()} is not supported; psim implements BERT with absolute positions, an encoder only, single-label classification"
                );
    }

    private static readonly (string Name, Func<JsonElement, bool> Allowed)[] NeutralOnly =
    [
        ("position_embedding_type", v =>
            v.ValueKind == JsonValueKind.Null || v.ValueKind == JsonValueKind.String && v.GetString() == "absolute"
        ),
        ("is_decoder", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null),
        ("add_cross_attention", v => v.ValueKind is JsonValueKind.False or JsonValueKind.Null),
        ("pruned_heads", v => v.ValueKind == JsonValueKind.Null || v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any()),
        ("problem_type", v =>
            v.ValueKind == JsonValueKind.Null || v.ValueKind == JsonValueKind.String && v.GetString() == "single_label_classification"
        ),
        ("embedding_size", v => v.ValueKind == JsonValueKind.Null),
    ];

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The config from an already parsed (strictly read) config.json; <paramref name="path"/> names it in errors.</summary>
    public static BertConfig FromJson(JsonElement root, string path)
    {
        BertConfig? c;
        try
        {
            c = root.Deserialize<BertConfig>(Options);
        }
        catch (JsonException e)
        {
            throw new PsimFormatException($"{path}: invalid config JSON: {e.Message}");
        }
        if (c is null)
            throw new PsimFormatException($"{path}: config is null");
        c.Validate(path);
        return c;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Options);
}
