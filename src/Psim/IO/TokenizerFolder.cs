using System.Text.Json;
using System.Text.Json.Nodes;
using Psim.Files;
using Psim.Text;

namespace Psim.IO;

/// <summary>
/// The tokenizer of a Hugging Face model folder: <c>vocab.txt</c> with <c>tokenizer_config.json</c>
/// (the slow BertTokenizer's files), or, without <c>vocab.txt</c>, a fast tokenizer's <c>tokenizer.json</c>
/// with a WordPiece model and BERT normaliser. Every setting that changes the ids is honoured or refused
/// with its name and value.
/// </summary>
public static class TokenizerFolder
{
    public const string VocabFile = "vocab.txt",
        ConfigFile = "tokenizer_config.json",
        FastFile = "tokenizer.json";

    public static BertTokenizer Load(string dir)
    {
        var vocabPath = Path.Combine(dir, VocabFile);
        var fastPath = Path.Combine(dir, FastFile);
        if (File.Exists(vocabPath))
            return new BertTokenizer(LoadVocab(vocabPath), ReadConfig(Path.Combine(dir, ConfigFile)));
        if (File.Exists(fastPath))
            return FastTokenizerJson.Load(fastPath);
        throw new PsimException($"{dir}: no {VocabFile} or {FastFile} in the folder (psim needs the WordPiece vocabulary)");
    }

    /// <summary>A vocab.txt: valid UTF-8, one token a line (\n, \r\n or \r, as Python's universal newlines), not empty.</summary>
    public static WordPieceVocab LoadVocab(string path)
    {
        var lines = StrictText.ReadLines(path);
        if (lines.Count == 0)
            throw new PsimFormatException($"{path}: the vocabulary is empty");
        return new WordPieceVocab(lines, path);
    }

    /// <summary>tokenizer_config.json's BertTokenizer settings (transformers' defaults where absent or no file).</summary>
    public static BertTokenizerOptions ReadConfig(string path)
    {
        var o = new BertTokenizerOptions();
        if (!File.Exists(path))
            return o;
        var root = Json.ParseObject(path);
        var r = new JsonFields(root, path);
        if (r.String("tokenizer_class") is { } cls && cls is not ("BertTokenizer" or "BertTokenizerFast"))
            throw new PsimFormatException(
                $"{path}: tokenizer_class \"{cls}\" is not supported; psim reads BertTokenizer and BertTokenizerFast"
            );
        if (r.Array("never_split") is { Count: > 0 })
            throw new PsimFormatException(
                $"{path}: never_split is not supported (it changes how those words are tokenised); remove it or leave it empty"
            );
        if (r.Array("additional_special_tokens") is { Count: > 0 })
            throw new PsimFormatException(
                $"{path}: additional_special_tokens are not supported (they add ids outside the WordPiece vocabulary)"
            );
        RefuseExtraAddedTokens(root, path);
        return o with
        {
            DoLowerCase = r.Bool("do_lower_case") ?? o.DoLowerCase,
            DoBasicTokenize = r.Bool("do_basic_tokenize") ?? o.DoBasicTokenize,
            StripAccents = r.Bool("strip_accents"),
            TokenizeChineseChars = r.Bool("tokenize_chinese_chars") ?? o.TokenizeChineseChars,
            DoSplitOnPunc = r.Bool("do_split_on_punc") ?? o.DoSplitOnPunc,
            UnkToken = r.Token("unk_token") ?? o.UnkToken,
            SepToken = r.Token("sep_token") ?? o.SepToken,
            PadToken = r.Token("pad_token") ?? o.PadToken,
            ClsToken = r.Token("cls_token") ?? o.ClsToken,
            MaskToken = r.Token("mask_token") ?? o.MaskToken,
        };
    }

    /// <summary>added_tokens_decoder may list the five special tokens; anything else would change the ids.</summary>
    private static void RefuseExtraAddedTokens(JsonObject root, string path)
    {
        var r = new JsonFields(root, path);
        if (r.Object("added_tokens_decoder") is not { } added)
            return;
        var specials = new[] { "unk_token", "sep_token", "pad_token", "cls_token", "mask_token" }
            .Select(r.Token)
            .Concat(new BertTokenizerOptions().SpecialTokens)
            .ToHashSet();
        var entries = new JsonFields(added, $"{path}: added_tokens_decoder");
        foreach (var (id, _) in added)
        {
            var entry = entries.Object(id)
                ?? throw new PsimFormatException($"{path}: added_tokens_decoder.{id} is null; expected an object with \"content\"");
            var content = new JsonFields(entry, $"{path}: added_tokens_decoder.{id}").String("content");
            if (content is null || !specials.Contains(content))
                throw new PsimFormatException(
                    $"{path}: added_tokens_decoder.{id} (\"{content}\") is an added token psim does not support; only the special tokens may be listed"
                );
        }
    }

    /// <summary>Writes the files transformers' BertTokenizer reads back to the same ids.</summary>
    public static void Save(string dir, BertTokenizer tokenizer, int modelMaxLength)
    {
        var vocab = tokenizer.Vocab;
        AtomicFile.WriteAllText(
            Path.Combine(dir, VocabFile),
            string.Concat(Enumerable.Range(0, vocab.Count).Select(i => vocab.Token(i) + "\n"))
        );
        var o = tokenizer.Options;
        var config = new JsonObject
        {
            ["tokenizer_class"] = "BertTokenizer",
            ["do_lower_case"] = o.DoLowerCase,
            ["do_basic_tokenize"] = o.DoBasicTokenize,
            ["strip_accents"] = o.StripAccents,
            ["tokenize_chinese_chars"] = o.TokenizeChineseChars,
            ["model_max_length"] = modelMaxLength,
            ["unk_token"] = o.UnkToken,
            ["sep_token"] = o.SepToken,
            ["pad_token"] = o.PadToken,
            ["cls_token"] = o.ClsToken,
            ["mask_token"] = o.MaskToken,
        };
        if (!o.DoSplitOnPunc)
            config["do_split_on_punc"] = false;
        AtomicFile.WriteAllText(Path.Combine(dir, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
