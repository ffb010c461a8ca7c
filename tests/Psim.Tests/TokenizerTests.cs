using System.Text;
using System.Text.Json.Nodes;
using Psim.IO;
using Psim.Text;

namespace Psim.Tests;

/// <summary>BertTokenizer semantics the reference file does not reach: special tokens, cased vocabularies, settings, files.</summary>
public class TokenizerTests
{
    private static readonly string[] BaseVocab =
    [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        "a",
        "b",
        "c",
        "$",
        "<",
        "~",
        "|",
        "[",
        "]",
        "sep",
        "cafe",
        "café",
        "Café",
        "οδοσ",
        "οδος",
        "the",
        "##s",
        "movie",
        "東",
        "京",
        "!",
        "##a",
        "tab",
    ];

    private static BertTokenizer Make(BertTokenizerOptions? o = null, IEnumerable<string>? extra = null) =>
        new(new WordPieceVocab([.. BaseVocab, .. extra ?? []], "test vocab"), o ?? new BertTokenizerOptions());

    [Fact]
    public void Special_tokens_in_the_text_keep_their_ids_and_lowercase_ones_do_not()
    {
        var t = Make();
        Assert.Equal(["a", "[SEP]", "b"], t.Tokenize("A [SEP] b"));
        Assert.Equal(["a", "[", "sep", "]", "b"], t.Tokenize("a [sep] b"));
        Assert.Equal([5, 3, 6], t.Encode("a[SEP]b"));
    }

    [Fact]
    public void Symbols_are_split_off_and_tabs_separate_words()
    {
        var t = Make();
        Assert.Equal(["a", "$", "b", "<", "c", "~", "|", "tab"], t.Tokenize("a$b<c ~|\ttab"));
    }

    [Fact]
    public void Accents_are_stripped_under_invariant_globalization()
    {
        // This process runs with InvariantGlobalization, where .NET's own NFD does nothing:
        Assert.Equal(1, "é".Normalize(NormalizationForm.FormD).Length);
        Assert.Equal(["cafe", "movie"], Make().Tokenize("CAFÉ movie"));
    }

    [Fact]
    public void Strip_accents_false_keeps_them_while_lower_casing()
    {
        var t = Make(new BertTokenizerOptions { StripAccents = false });
        Assert.Equal(["café"], t.Tokenize("CAFÉ"));
    }

    [Fact]
    public void A_cased_tokenizer_composes_to_NFC_and_keeps_case()
    {
        var t = Make(new BertTokenizerOptions { DoLowerCase = false });
        Assert.Equal(["Café"], t.Tokenize("Cafe\u0301")); // e + combining acute -> é
        Assert.Equal(["[UNK]"], t.Tokenize("CAFE"));
    }

    [Fact]
    public void Capital_sigma_lowers_character_by_character_as_transformers_does()
    {
        // PreTrainedTokenizer.tokenize lowers each character on its own, so no final-sigma form appears.
        Assert.Equal(["οδοσ"], Make().Tokenize("ΟΔΟΣ"));
    }

    [Fact]
    public void Cjk_ideographs_are_words_and_emoji_and_controls_are_handled()
    {
        var t = Make();
        Assert.Equal(["東", "京", "[UNK]", "a"], t.Tokenize("東京 😀 a"));
        Assert.Equal(["a", "b"], t.Tokenize("a\u0000\u00ad\uFFFD b"));
        Assert.Equal(["ab"], Make(extra: ["ab"]).Tokenize("a\ud800b")); // a lone surrogate is a control character: dropped
    }

    [Fact]
    public void Words_over_100_code_points_are_unknown_and_wordpiece_is_greedy()
    {
        var t = Make();
        Assert.Equal(Enumerable.Repeat("##a", 99).Prepend("a"), t.Tokenize(new string('a', 100)));
        Assert.Equal(["[UNK]"], t.Tokenize(new string('a', 101)));
        Assert.Equal(["the", "##s"], t.Tokenize("thes"));
        Assert.Equal(["[UNK]"], t.Tokenize("thex")); // one piece missing: the whole word is unknown
    }

    [Fact]
    public void Vocabulary_files_are_checked()
    {
        var dir = TestModels.TempDir();
        var noUnk = Path.Combine(dir, "no-unk.txt");
        File.WriteAllLines(noUnk, ["[PAD]", "a"]);
        var e = Assert.Throws<PsimFormatException>(() => new BertTokenizer(TokenizerFolder.LoadVocab(noUnk), new()));
        Assert.Contains(noUnk, e.Message);
        Assert.Contains("[UNK]", e.Message);

        var bad = Path.Combine(dir, "bad.txt");
        File.WriteAllBytes(bad, [.. "[PAD]\n[UNK]\n"u8, 0xC3, 0x28, (byte)'\n']);
        var e2 = Assert.Throws<PsimFormatException>(() => TokenizerFolder.LoadVocab(bad));
        Assert.Contains($"{bad}:3", e2.Message);

        var dup = new WordPieceVocab(["[UNK]", "a", "a"], "dup");
        Assert.Equal(2, dup.Id("a")); // transformers' load_vocab keeps the last id
    }

    [Fact]
    public void Tokenizer_config_settings_are_honoured_or_refused_by_name()
    {
        var dir = TestModels.TempDir();
        var path = Path.Combine(dir, TokenizerFolder.ConfigFile);
        File.WriteAllText(path, """{"do_lower_case": true, "strip_accents": false, "unk_token": {"content": "[UNK]", "lstrip": false}}""");
        var o = TokenizerFolder.ReadConfig(path);
        Assert.False(o.StripsAccents);

        File.WriteAllText(path, """{"tokenizer_class": "XLMRobertaTokenizer"}""");
        Assert.Contains("tokenizer_class", Assert.Throws<PsimFormatException>(() => TokenizerFolder.ReadConfig(path)).Message);
        File.WriteAllText(path, """{"do_lower_case": "yes"}""");
        Assert.Contains("do_lower_case", Assert.Throws<PsimFormatException>(() => TokenizerFolder.ReadConfig(path)).Message);
        File.WriteAllText(path, """{"do_lower_case": true, "do_lower_case": false}""");
        Assert.Contains(path, Assert.Throws<PsimFormatException>(() => TokenizerFolder.ReadConfig(path)).Message);
    }

    [Fact]
    public void A_folder_with_only_tokenizer_json_gives_the_same_ids_as_vocab_txt()
    {
        var slowDir = TestModels.TempDir();
        File.WriteAllLines(Path.Combine(slowDir, TokenizerFolder.VocabFile), BaseVocab);
        var slow = TokenizerFolder.Load(slowDir);

        var fastDir = TestModels.TempDir();
        var vocab = new JsonObject();
        for (int i = 0; i < BaseVocab.Length; i++)
            vocab[BaseVocab[i]] = i;
        var json = new JsonObject
        {
            ["normalizer"] = new JsonObject
            {
                ["type"] = "BertNormalizer",
                ["clean_text"] = true,
                ["handle_chinese_chars"] = true,
                ["strip_accents"] = null,
                ["lowercase"] = true,
            },
            ["pre_tokenizer"] = new JsonObject { ["type"] = "BertPreTokenizer" },
            ["model"] = new JsonObject
            {
                ["type"] = "WordPiece",
                ["unk_token"] = "[UNK]",
                ["continuing_subword_prefix"] = "##",
                ["max_input_chars_per_word"] = 100,
                ["vocab"] = vocab,
            },
        };
        File.WriteAllText(Path.Combine(fastDir, TokenizerFolder.FastFile), json.ToJsonString());
        var fast = TokenizerFolder.Load(fastDir);
        foreach (var text in new[] { "CAFÉ movie!", "thes a$b", "東京 x" })
            Assert.Equal(slow.Encode(text), fast.Encode(text));

        json["model"]!["continuing_subword_prefix"] = "@@";
        File.WriteAllText(Path.Combine(fastDir, TokenizerFolder.FastFile), json.ToJsonString());
        Assert.Contains("continuing_subword_prefix", Assert.Throws<PsimFormatException>(() => TokenizerFolder.Load(fastDir)).Message);
    }
}
