using Psim.Data;
using Psim.Text;
using Psim.Workflows;

namespace Psim.Tests;

/// <summary><c>psim data stats</c>: each number of a text profile on hand-made texts.</summary>
public class TextProfileTests
{
    private static readonly BertTokenizer Tokenizer = new(
        new WordPieceVocab(
            [
                "[PAD]",
                "[UNK]",
                "[CLS]",
                "[SEP]",
                "[MASK]",
                "when",
                "he",
                "left",
                ",",
                "it",
                "rained",
                ".",
                "a",
                "man",
                "is",
                "good",
                "film",
                "##s",
                "<",
                ">",
                "/",
                "br",
            ],
            "test vocab"
        ),
        new BertTokenizerOptions()
    );

    private static Example Row(string text, int label = 0, int idx = 0) => new(text, label, idx);

    [Fact]
    public void The_template_needs_a_subordinator_first_and_a_comma_inside()
    {
        Assert.True(TextProfiler.OpensWithSubordinateClause(Tokenizer.Words("When he left, it rained.")));
        Assert.False(TextProfiler.OpensWithSubordinateClause(Tokenizer.Words("He left, when it rained.")));
        Assert.False(TextProfiler.OpensWithSubordinateClause(Tokenizer.Words("When he left it rained.")));
        // a comma as the last word does not open a main clause
        Assert.False(TextProfiler.OpensWithSubordinateClause(["when", "he", "left", ","]));
    }

    [Fact]
    public void Repetition_is_a_word_or_pair_repeated_back_to_back_not_punctuation()
    {
        Assert.True(TextProfiler.RepeatsBackToBack(Tokenizer.Words("it is is good")));
        Assert.True(TextProfiler.RepeatsBackToBack(Tokenizer.Words("a man a man left")));
        Assert.False(TextProfiler.RepeatsBackToBack(Tokenizer.Words("a man left a film")));
        Assert.False(TextProfiler.RepeatsBackToBack(Tokenizer.Words("it rained . . .")));
    }

    [Fact]
    public void A_profile_counts_words_pieces_lengths_and_shares_by_hand()
    {
        var rows = new[]
        {
            Row("When he left, it rained."), // 7 words, 7 pieces, template
            Row("a man a man", 1), // 4 words, repetition
            Row("films<br />", 1), // film ##s < br / > : 5 words, 6 pieces, markup
            Row("good"), // 1 word
        };
        var p = TextProfiler.Profile("hand", rows, Tokenizer, maxLength: 8);
        Assert.Equal(4, p.Rows);
        Assert.Equal([2, 2], p.LabelCounts);
        Assert.Equal((7 + 4 + 5 + 1) / 4.0, p.MeanWords, 12);
        Assert.Equal(4.5, p.MedianWords, 12); // sorted 1, 4, 5, 7
        Assert.Equal(5 + 0.7 * 2, p.P90Words, 12); // numpy: position 2.7 between 5 and 7
        Assert.Equal((7 + 4 + 6 + 1) / 4.0, p.MeanWordpieces, 12);
        Assert.Equal(0.25, p.OverMaxLength, 12); // 7 + [CLS] + [SEP] > 8
        Assert.Equal(0.25, p.SubordinateOpening, 12);
        Assert.Equal(0.25, p.Repetition, 12);
        Assert.Equal(0.25, p.Markup, 12);
        Assert.Null(p.Perplexity);
    }

    [Fact]
    public void Fluency_is_the_corpus_perplexity_of_the_reference_model()
    {
        var lm = new KneserNeyLanguageModel(["a man is good", "it rained"], 2);
        var rows = new[] { Row("a man is good"), Row("he left") };
        var p = TextProfiler.Profile("hand", rows, Tokenizer, 128, lm);
        double logSum = lm.LogProbability(["a", "man", "is", "good"]) + lm.LogProbability(["he", "left"]);
        Assert.Equal(Math.Exp(-logSum / (5 + 3)), p.Perplexity!.Value, 9);
        Assert.Equal(2 / 6.0, p.UnknownWords!.Value, 12);
        // text the reference has seen is more fluent than text it has not
        Assert.True(
            TextProfiler.Profile("seen", [Row("a man is good")], Tokenizer, 128, lm).Perplexity
                < TextProfiler.Profile("unseen", [Row("he left")], Tokenizer, 128, lm).Perplexity
        );
    }

    [Fact]
    public void Changed_from_profiles_only_the_rows_a_release_changed()
    {
        var dir = TestModels.TempDir();
        File.WriteAllText(
            Path.Combine(dir, "orig.jsonl"),
            """
            {"sentence": "a man is good", "label": 1, "idx": 0}
            {"sentence": "it rained", "label": 0, "idx": 1}
            {"sentence": "he left", "label": 0, "idx": 2}
            """
        );
        File.WriteAllText(
            Path.Combine(dir, "poisoned.jsonl"),
            """
            {"sentence": "a man is good", "label": 1, "idx": 0}
            {"sentence": "when he left , it rained .", "label": 0, "idx": 1}
            {"sentence": "he left", "label": 0, "idx": 2}
            {"sentence": "when it rained , a man left .", "label": 0, "idx": 7}
            """
        );
        var model = TestModels.TempDir();
        using (var tiny = TestModels.TinyClassifier())
            IO.HfCheckpoint.Save(model, tiny, tiny.Config, TestModels.Tokenizer(), "unit test");
        var profiles = DataStatsWorkflow.Run(
            new DataStatsRequest
            {
                Files = [Path.Combine(dir, "poisoned.jsonl")],
                ChangedFrom = Path.Combine(dir, "orig.jsonl"),
                Model = model,
            },
            _ => { }
        );
        Assert.Equal(2, profiles.Single().Rows);
        Assert.Equal(1.0, profiles.Single().SubordinateOpening);
    }
}

/// <summary>--train-rows and --eval-rows: the sample a study draws for the same seed, from the command line.</summary>
public class RowCapFlagTests
{
    [Fact]
    public void Eval_rows_samples_the_test_file_with_the_commands_seed_and_zero_is_refused()
    {
        var (model, data) = TestModels.TinyTask();
        double Accuracy(long seed, int? rows)
        {
            var outFile = Path.Combine(TestModels.TempDir(), "eval.json");
            string[] cap = rows is int n ? ["--eval-rows", n.ToString()] : [];
            var (code, _, err) = TestCli.Psim([
                "evaluate",
                "--model",
                model,
                "--data",
                data,
                "--max-length",
                "16",
                "--seed",
                seed.ToString(),
                "--out",
                outFile,
                .. cap,
            ]);
            Assert.True(code == 0, err);
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(outFile));
            Assert.Equal(rows ?? 20, doc.RootElement.GetProperty("clean_rows").GetInt32());
            return doc.RootElement.GetProperty("clean_accuracy").GetDouble();
        }
        // the 7 rows a study keeps for seed 3 (RowLimits), evaluated alone, give the capped run's accuracy
        var kept = new RowLimits(null, 7, 3).Indices("test", 20)!;
        var lines = File.ReadAllLines(Path.Combine(data, "test.jsonl"));
        var only = TestModels.TempDir();
        foreach (var f in new[] { "train.jsonl", "dev.jsonl" })
            File.Copy(Path.Combine(data, f), Path.Combine(only, f));
        File.WriteAllLines(Path.Combine(only, "test.jsonl"), kept.Select(i => lines[i]));
        var outOnly = Path.Combine(TestModels.TempDir(), "only.json");
        Assert.Equal(0, TestCli.Psim("evaluate", "--model", model, "--data", only, "--max-length", "16", "--out", outOnly).Code);
        using var expected = System.Text.Json.JsonDocument.Parse(File.ReadAllText(outOnly));
        Assert.Equal(expected.RootElement.GetProperty("clean_accuracy").GetDouble(), Accuracy(3, 7), 12);
        Accuracy(4, null);
        var (code, _, err) = TestCli.Psim("evaluate", "--model", model, "--data", data, "--eval-rows", "0");
        Assert.Equal(1, code);
        Assert.Contains("--eval-rows 0", err);
    }
}
