using Psim.Defense.Onion;
using Psim.Defense.Strip;
using Psim.Text;

namespace Psim.Tests;

public class BaselineDefenseTests
{
    private static readonly string[] Corpus =
    [
        "the movie was great",
        "the movie was bad",
        "a great film",
        "the film was a great movie",
        "i liked the film",
        "i did not like the movie",
        "the plot was bad",
        "a bad plot and a great cast",
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Kneser_ney_probabilities_sum_to_one_over_the_vocabulary(int order)
    {
        var lm = new KneserNeyLanguageModel(Corpus, order);
        string[][] histories =
        [
            [],
            ["the"],
            ["the", "movie"],
            ["movie", "was"],
            ["zebra"],
            ["the", "zebra"],
            ["was", "great", "film"],
        ];
        foreach (var h in histories)
        {
            double sum = lm.Vocabulary.Sum(w => lm.Probability(w, h));
            Assert.Equal(1.0, sum, 10);
            Assert.All(lm.Vocabulary, w => Assert.True(lm.Probability(w, h) > 0));
        }
        // an unknown word gets the <unk> probability
        Assert.Equal(lm.Probability(KneserNeyLanguageModel.Unk, ["the"]), lm.Probability("zebra", ["the"]));
    }

    [Fact]
    public void Seen_text_is_less_perplexing_than_scrambled_text()
    {
        var lm = new KneserNeyLanguageModel(Corpus, 3);
        Assert.True(lm.Perplexity(["the", "movie", "was", "great"]) < lm.Perplexity(["great", "was", "movie", "the"]));
        Assert.True(lm.Perplexity(["the", "movie", "was", "great"]) < lm.Perplexity(["the", "movie", "mn", "was", "great"]));
    }

    [Fact]
    public void Onion_flags_and_removes_the_inserted_rare_word()
    {
        var onion = new OnionFilter(new KneserNeyLanguageModel(Corpus, 3));
        var words = "the movie was mn great".Split(' ');
        var f = onion.Suspicion(words);
        Assert.Equal(3, Array.IndexOf(f, f.Max())); // "mn"
        Assert.True(f[3] > 0, "removing the trigger lowers perplexity");
        double bar = f.Where((_, i) => i != 3).Max() + 1e-9; // just above every other word's score
        Assert.Equal("the movie was great", onion.Filter("the movie was mn great", bar));
        Assert.Equal("the movie was mn great", onion.Filter("the movie was mn great", f.Max() + 1));
        var all = onion.FilterAll(["the movie was mn great", "a great film"], [bar, f.Max() + 1]);
        Assert.Equal("the movie was great", all[bar][0]);
        Assert.Equal("a great film", all[f.Max() + 1][1]);
        Assert.Equal(10, OnionFilter.ReferenceBars.Count);
        Assert.Equal(-300, OnionFilter.ReferenceBars[0]);
        Assert.Equal(-30, OnionFilter.ReferenceBars[^1]);
    }

    [Fact]
    public void Onion_bars_calibrated_on_clean_words_remove_the_asked_fraction()
    {
        var scores = Enumerable.Range(0, 100).Select(i => (double)i).Reverse().ToList(); // 99 … 0
        Assert.Equal(94, OnionFilter.BarForRemovalRate(scores, 0.05)); // 95…99 lie above it: 5 words
        Assert.Equal(99, OnionFilter.BarForRemovalRate(scores, 0)); // nothing above the highest
        Assert.Equal(0, OnionFilter.BarForRemovalRate(scores, 1));
        foreach (var rate in new[] { 0.01, 0.1, 0.37 })
            Assert.Equal((int)Math.Floor(rate * 100), scores.Count(s => s > OnionFilter.BarForRemovalRate(scores, rate)));
        Assert.Throws<ArgumentOutOfRangeException>(() => OnionFilter.BarForRemovalRate(scores, 1.5));

        // on the toy corpus: a bar that removes no clean training word still removes the trigger
        var onion = new OnionFilter(new KneserNeyLanguageModel(Corpus, 3));
        var clean = onion.AllScores(Corpus);
        Assert.Equal(Corpus.Sum(t => t.Split(' ').Length), clean.Length);
        double bar = OnionFilter.BarForRemovalRate(clean, 0.0);
        Assert.All(Corpus, t => Assert.Equal(t, onion.Filter(t, bar)));
        var filtered = onion.Filter("the movie was mn great", bar).Split(' ');
        Assert.DoesNotContain("mn", filtered);
        Assert.Equal(["the", "movie", "was"], filtered.Take(3));
    }

    [Fact]
    public void Strip_entropy_and_threshold()
    {
        Assert.Equal(Math.Log(2), StripPerturbation.Entropy([0.5f, 0.5f]), 6);
        Assert.Equal(0.0, StripPerturbation.Entropy([1f, 0f]), 12);
        Assert.Equal(
            (Math.Log(2) + 0) / 2,
            StripPerturbation.MeanEntropy([
                [0.5f, 0.5f],
                [1f, 0f],
            ]),
            6
        );
        var rng = new Random(4);
        var clean = Enumerable.Range(0, 1000).Select(_ => 0.3 + 0.4 * rng.NextDouble()).ToList();
        double tau = StripPerturbation.ThresholdForTargetFrr(clean, 0.05);
        double frr = clean.Count(e => e < tau) / (double)clean.Count;
        Assert.InRange(frr, 0.049, 0.05);
    }

    [Fact]
    public void Strip_perturbs_a_fraction_of_words_with_donor_words()
    {
        var strip = new StripPerturbation(["alpha beta gamma"], copies: 7, replaceFraction: 0.5);
        var copies = strip.Perturb("one two three four five", new Random(1));
        Assert.Equal(7, copies.Count);
        foreach (var c in copies)
        {
            var w = c.Split(' ');
            Assert.Equal(5, w.Length);
            // ⌈0.5 · 5⌉ = 3 positions take a donor word; the donor and the input share no word
            Assert.Equal(3, w.Count(x => x is "alpha" or "beta" or "gamma"));
            Assert.Equal(3, w.Zip("one two three four five".Split(' ')).Count(t => t.First != t.Second));
        }
    }
}
