using System.Text.RegularExpressions;
using Psim.Models;

namespace Psim.IO;

/// <summary>
/// Compares config.json with the safetensors header before any model is built: the shapes that size the
/// model (embedding tables, feed-forward width, layer count) must match what the file holds, so a config
/// that asks for gigabytes the file does not have is refused without allocating them.
/// </summary>
internal static partial class ConfigHeaderCheck
{
    public static void Check(BertConfig c, string configPath, SafeTensorsFile weights)
    {
        Expect(weights, configPath, "embeddings.word_embeddings.weight", [c.VocabSize, c.HiddenSize], "vocab_size, hidden_size");
        Expect(
            weights,
            configPath,
            "embeddings.position_embeddings.weight",
            [c.MaxPositionEmbeddings, c.HiddenSize],
            "max_position_embeddings, hidden_size"
        );
        Expect(
            weights,
            configPath,
            "embeddings.token_type_embeddings.weight",
            [c.TypeVocabSize, c.HiddenSize],
            "type_vocab_size, hidden_size"
        );
        Expect(
            weights,
            configPath,
            "encoder.layer.0.intermediate.dense.weight",
            [c.IntermediateSize, c.HiddenSize],
            "intermediate_size, hidden_size"
        );
        int layers = weights
            .Entries.Keys.Select(k => LayerIndex().Match(k))
            .Where(m => m.Success)
            .Select(m => int.TryParse(m.Groups[1].ValueSpan, out int i) ? i + 1 : 0)
            .DefaultIfEmpty(0)
            .Max();
        if (layers != c.NumHiddenLayers)
            throw new PsimFormatException(
                $"{configPath}: num_hidden_layers is {c.NumHiddenLayers} but {weights.Path} holds {layers} layers"
            );
    }

    private static void Expect(SafeTensorsFile weights, string configPath, string key, long[] shape, string fields)
    {
        var entry = weights.Entries.GetValueOrDefault(key)
            ?? weights.Entries.GetValueOrDefault("bert." + key)
            ?? throw new PsimFormatException($"{weights.Path}: no tensor '{key}' (nor 'bert.{key}'): not a BERT checkpoint");
        if (!entry.Shape.SequenceEqual(shape))
            throw new PsimFormatException(
                $"{configPath}: {fields} give {key} the shape [{string.Join(", ", shape)}], but {weights.Path} holds [{string.Join(", ", entry.Shape)}]"
            );
    }

    [GeneratedRegex(@"^(?:bert\.)?encoder\.layer\.(\d{1,6})\.")]
    private static partial Regex LayerIndex();
}
