using Psim.Files;
using Psim.IO;
using Psim.Models;
using Psim.Peft;
using Psim.Peft.Lora;
using Psim.Text;

namespace Psim.Tests;

/// <summary>Work bounded by what an input can make psim do: regexes, WordPiece, lines, model and weights sizes.</summary>
public class BoundedWorkTests
{
    /// <summary>transformers' WordpieceTokenizer, literally: every end tried from the longest.</summary>
    private static List<string> BruteForceWordPiece(WordPieceVocab vocab, string word)
    {
        var pieces = new List<string>();
        int start = 0;
        while (start < word.Length)
        {
            string? match = null;
            for (int end = word.Length; end > start; end--)
            {
                var piece = (start > 0 ? "##" : "") + word[start..end];
                if (vocab.Contains(piece))
                {
                    match = piece;
                    start = end;
                    break;
                }
            }
            if (match is null)
                return ["[UNK]"];
            pieces.Add(match);
        }
        return pieces;
    }

    [Fact]
    public void WordPiece_is_greedy_longest_match_first_on_random_vocabularies()
    {
        var rng = new Random(5);
        string Random(int n) => new(Enumerable.Range(0, n).Select(_ => "abc"[rng.Next(3)]).ToArray());
        for (int trial = 0; trial < 30; trial++)
        {
            var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
            for (int i = 0; i < 12; i++)
                tokens.Add(Random(1 + rng.Next(4)));
            for (int i = 0; i < 12; i++)
                tokens.Add("##" + Random(1 + rng.Next(4)));
            var vocab = new WordPieceVocab(tokens, "random vocab");
            var tokenizer = new BertTokenizer(vocab, new BertTokenizerOptions());
            for (int w = 0; w < 40; w++)
            {
                var word = Random(1 + rng.Next(12));
                Assert.Equal(BruteForceWordPiece(vocab, word), tokenizer.Tokenize(word));
            }
        }
    }

    [Fact]
    public async Task A_20000_character_word_is_split_in_linear_work_when_the_tokenizer_allows_such_words()
    {
        var vocab = new WordPieceVocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##a", "aa", "##aa", "aaa"], "vocab");
        var tokenizer = new BertTokenizer(vocab, new BertTokenizerOptions { MaxInputCharsPerWord = 1_000_000 });
        var word = new string('a', 20_000);
        var pieces = await Task.Run(() => tokenizer.Tokenize(word)).WaitAsync(TimeSpan.FromSeconds(60)); // TimeoutException: a hang
        // greedy longest-match-first: "aaa", then "##aa" 9,998 times, then the last "a"
        Assert.Equal(["aaa", .. Enumerable.Repeat("##aa", 9_998), "##a"], pieces);
    }

    private static string LoraConfigJson(string targetModules, string rankPattern = "{}") =>
        $$"""
            { "peft_type": "LORA", "task_type": "SEQ_CLS", "r": 4, "lora_alpha": 8, "lora_dropout": 0.0,
              "target_modules": {{targetModules}}, "rank_pattern": {{rankPattern}}, "modules_to_save": ["classifier"] }
            """;

    [Theory]
    [InlineData("\"(\"", "{}", "target_modules \"(\" is not a valid regular expression")]
    [InlineData("\"a)|(b\"", "{}", "target_modules \"a)|(b\" is not a valid regular expression")]
    [InlineData("\"(a)\\\\1\"", "{}", "target_modules \"(a)\\1\" uses a construct")]
    [InlineData("[\"query\"]", "{\"[\": 4}", "rank_pattern key \"[\" is not a valid regular expression")]
    public void A_regex_from_an_adapter_config_that_does_not_compile_is_refused_naming_the_field(
        string target,
        string ranks,
        string expected
    )
    {
        var e = Assert.Throws<PsimFormatException>(() => PeftConfig.Parse(LoraConfigJson(target, ranks), "adapter_config.json"));
        Assert.StartsWith("adapter_config.json: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_catastrophic_backtracking_pattern_matches_in_linear_time_and_as_python_would()
    {
        var config = (LoraConfig)PeftConfig.Parse(LoraConfigJson("\"([a-z.0-9_]+)+z\""), "adapter_config.json");
        var isTarget = config.TargetModules.Matcher("adapter_config.json");
        var name = "bert.encoder.layer.0.attention.self.query" + new string('a', 5_000) + "!";
        Assert.False(await Task.Run(() => isTarget(name)).WaitAsync(TimeSpan.FromSeconds(60))); // TimeoutException: a hang
        Assert.True(isTarget("bert.encoder.layer.0.attention.self.quz")); // re.fullmatch semantics
        var full = ((LoraConfig)PeftConfig.Parse(LoraConfigJson("\"query|value\""), "c")).TargetModules.Matcher("c");
        Assert.True(full("query"));
        Assert.False(full("bert.encoder.layer.0.attention.self.query")); // fullmatch: the whole name
        var suffix = ModulePattern.Suffix("layer\\.0\\..*query", "c", "rank_pattern key");
        Assert.True(suffix.IsMatch("bert.encoder.layer.0.attention.self.query"));
        Assert.False(suffix.IsMatch("bert.encoder.layer.10.attention.self.query"));
    }

    [Fact]
    public void A_data_line_over_the_bound_is_refused_with_its_number_and_short_lines_read_as_before()
    {
        var path = Path.Combine(TestModels.TempDir(), "train.jsonl");
        File.WriteAllText(
            path,
            "{\"sentence\": \"a\", \"label\": 0}\r\n\n{\"sentence\": \"" + new string('x', StrictText.MaxLineBytes) + "\", \"label\": 1}\n"
        );
        var e = Assert.Throws<PsimFormatException>(() => StrictText.ReadLines(path, StrictText.DataMaxBytes));
        Assert.StartsWith($"{path}:3: a line over", e.Message);
        File.WriteAllText(path, "a\r\nb\rc\n\nd");
        Assert.Equal(["a", "b", "c", "", "d"], StrictText.ReadLines(path));
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, (byte)'x', (byte)'\n', 0xC3, 0x28]);
        var bad = Assert.Throws<PsimFormatException>(() => StrictText.ReadLines(path));
        Assert.StartsWith($"{path}:2: invalid UTF-8", bad.Message);
    }

    /// <summary>A reader that never ends a line, like `yes | tr -d '\n'` on stdin.</summary>
    private sealed class EndlessLine : TextReader
    {
        public override int Read() => 'y';

        public override int Peek() => 'y';
    }

    [Fact]
    public void An_endless_stdin_line_is_refused_at_the_bound_instead_of_filling_memory()
    {
        var e = Assert.Throws<PsimFormatException>(() => StrictText.ReadLines(new EndlessLine(), "stdin").First());
        Assert.StartsWith("stdin:1: a line over", e.Message);
        Assert.Equal(["one", "two", ""], StrictText.ReadLines(new StringReader("one\r\ntwo\n\n"), "stdin"));
    }

    [Fact]
    public void A_config_describing_a_model_too_large_to_build_is_refused_before_allocating()
    {
        var config = TestModels.TinyConfig() with { VocabSize = 10_000_000, HiddenSize = 65_536, NumAttentionHeads = 1 };
        var e = Assert.Throws<PsimFormatException>(() => config.Validate("config.json"));
        Assert.Contains("parameters; psim builds models of up to", e.Message);
        // BERT-base's numbers give transformers' count exactly (109,483,778 with a two-class head)
        var bertBase = TestModels.TinyConfig() with
        {
            VocabSize = 30522,
            HiddenSize = 768,
            NumHiddenLayers = 12,
            NumAttentionHeads = 12,
            IntermediateSize = 3072,
            MaxPositionEmbeddings = 512,
            TypeVocabSize = 2,
        };
        Assert.Equal(109_483_778, bertBase.WithNumLabels(2).ParameterCount);
        bertBase.Validate("bert-base");
    }

    [Fact]
    public void A_weights_file_holding_more_values_than_psim_builds_is_refused_when_opened()
    {
        long n = SafeTensorsFile.MaxElements + 1;
        var header = System.Text.Encoding.UTF8.GetBytes($"{{\"w\":{{\"dtype\":\"U8\",\"shape\":[{n}],\"data_offsets\":[0,{n}]}}}}");
        var path = Path.Combine(TestModels.TempDir(), "model.safetensors");
        using (var fs = File.Create(path))
        {
            fs.Write(BitConverter.GetBytes((ulong)header.Length));
            fs.Write(header);
            fs.SetLength(8 + header.Length + n); // sparse: no disk used, no byte read
        }
        var e = Assert.Throws<PsimFormatException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("values; psim reads weights files of up to", e.Message);
    }
}
