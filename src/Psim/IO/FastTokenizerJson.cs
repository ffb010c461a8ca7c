using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.Files;
using Psim.Text;

namespace Psim.IO;

/// <summary>
/// A fast tokenizer's <c>tokenizer.json</c> read as a BertTokenizer: a WordPiece model with the "##"
/// prefix, a BertNormalizer (or none) and a BertPreTokenizer. Other normalisers, pre-tokenisers or
/// models, and added tokens beyond the special ones, are refused by name.
/// </summary>
public static class FastTokenizerJson
{
    public static BertTokenizer Load(string path)
    {
        var root = Json.ParseObject(path);
        var model = root["model"] as JsonObject ?? throw new PsimFormatException($"{path}: no \"model\" object");
        var m = new JsonFields(model, path + ": model");
        if (m.String("type") != "WordPiece")
            throw new PsimFormatException($"{path}: model.type \"{m.String("type")}\" is not supported; psim reads WordPiece");
        if ((m.String("continuing_subword_prefix") ?? "##") != "##")
            throw new PsimFormatException(
                $"{path}: model.continuing_subword_prefix \"{m.String("continuing_subword_prefix")}\" is not supported; psim uses \"##\""
            );
        var options = new BertTokenizerOptions
        {
            UnkToken = m.String("unk_token") ?? "[UNK]",
            MaxInputCharsPerWord = m.Int("max_input_chars_per_word", 1, 1_000_000) ?? 100,
        };
        options = Normalizer(root, path, options);
        PreTokenizer(root, path);
        var vocab = Vocab(model, path);
        RefuseAddedTokens(root, path, vocab, options);
        return new BertTokenizer(vocab, options);
    }

    private static BertTokenizerOptions Normalizer(JsonObject root, string path, BertTokenizerOptions o)
    {
        if (root["normalizer"] is null)
            return o with { DoLowerCase = false, StripAccents = false };
        if (root["normalizer"] is not JsonObject n)
            throw new PsimFormatException($"{path}: normalizer is not an object");
        var f = new JsonFields(n, path + ": normalizer");
        if (f.String("type") != "BertNormalizer")
            throw new PsimFormatException($"{path}: normalizer.type \"{f.String("type")}\" is not supported; psim reads BertNormalizer");
        if (f.Bool("clean_text") == false)
            throw new PsimFormatException($"{path}: normalizer.clean_text false is not supported");
        bool lower = f.Bool("lowercase") ?? true;
        return o with
        {
            DoLowerCase = lower,
            StripAccents = f.Bool("strip_accents"),
            TokenizeChineseChars = f.Bool("handle_chinese_chars") ?? true,
        };
    }

    private static void PreTokenizer(JsonObject root, string path)
    {
        if (root["pre_tokenizer"] is not JsonObject p)
            throw new PsimFormatException($"{path}: pre_tokenizer is missing; psim reads BertPreTokenizer");
        var type = new JsonFields(p, path).String("type");
        if (type != "BertPreTokenizer")
            throw new PsimFormatException($"{path}: pre_tokenizer.type \"{type}\" is not supported; psim reads BertPreTokenizer");
    }

    /// <summary>model.vocab: token → id, the ids exactly 0 .. n-1.</summary>
    private static WordPieceVocab Vocab(JsonObject model, string path)
    {
        if (model["vocab"] is not JsonObject v || v.Count == 0)
            throw new PsimFormatException($"{path}: model.vocab is missing or empty");
        var tokens = new string?[v.Count];
        foreach (var (token, idNode) in v)
        {
            if (
                idNode is not JsonValue iv
                || iv.GetValueKind() != JsonValueKind.Number
                || !iv.TryGetValue(out int id)
                || id < 0
                || id >= tokens.Length
            )
                throw new PsimFormatException(
                    $"{path}: model.vocab[\"{token}\"] = {idNode?.ToJsonString() ?? "null"} is not an id in [0, {tokens.Length - 1}]"
                );
            if (tokens[id] is not null)
                throw new PsimFormatException($"{path}: model.vocab gives id {id} to both \"{tokens[id]}\" and \"{token}\"");
            tokens[id] = token;
        }
        return new WordPieceVocab(tokens.Select(t => t!).ToList(), path);
    }

    private static void RefuseAddedTokens(JsonObject root, string path, WordPieceVocab vocab, BertTokenizerOptions o)
    {
        if (new JsonFields(root, path).Array("added_tokens") is not { } added)
            return;
        for (int i = 0; i < added.Count; i++)
        {
            var token =
                added[i] as JsonObject
                ?? throw new PsimFormatException(
                    $"{path}: added_tokens[{i}] is {added[i]?.ToJsonString() ?? "null"}; expected an object with \"content\""
                );
            var content = new JsonFields(token, $"{path}: added_tokens[{i}]").String("content");
            if (content is null || !o.SpecialTokens.Contains(content) || vocab.Id(content) is null)
                throw new PsimFormatException(
                    $"{path}: added token \"{content}\" is not supported; only the special tokens of the vocabulary may be added"
                );
        }
    }
}
