using Psim.Attacks;
using Psim.Data;

namespace Psim.Tests;

public class AttackTests
{
    [Fact]
    public void Trigger_is_never_first_or_last_and_every_interior_position_occurs()
    {
        var rng = new Random(1);
        var seen = new HashSet<int>();
        const string text = "w0 w1 w2 w3 w4";
        for (int i = 0; i < 2000; i++)
        {
            var (result, pos) = WordInsertion.Insert(text, "mn", rng);
            var words = result.Split(' ');
            Assert.Equal(6, words.Length);
            Assert.Equal("mn", words[pos]);
            Assert.NotEqual("mn", words[0]);
            Assert.NotEqual("mn", words[^1]);
            seen.Add(pos);
        }
        Assert.Equal([1, 2, 3, 4], seen.Order());
    }

    [Fact]
    public void Insertion_positions_are_uniform()
    {
        var rng = new Random(2);
        var counts = new int[5];
        const int n = 40_000;
        for (int i = 0; i < n; i++)
            counts[WordInsertion.Insert("a b c d e", "mn", rng).Position]++;
        for (int p = 1; p <= 4; p++)
            Assert.InRange(counts[p], n / 4 * 0.95, n / 4 * 1.05);
        Assert.Equal(0, counts[0]);
    }

    [Fact]
    public void Whitespace_is_normalised_and_short_texts_are_handled()
    {
        var rng = new Random(3);
        Assert.Equal("great mn film", WordInsertion.Insert("  great \t film ", "mn", rng).Text);
        Assert.Equal("ok mn", WordInsertion.Insert("ok", "mn", rng).Text);
    }

    [Fact]
    public void InSent_inserts_the_sentence_as_one_unit()
    {
        var t = new InSentTrigger().Apply("this is a long enough review", new Random(4));
        Assert.Contains(" I watched this 3D movie ", t.Text);
        Assert.False(t.Text.StartsWith("I watched", StringComparison.Ordinal));
        Assert.False(t.Text.EndsWith("3D movie", StringComparison.Ordinal));
    }

    [Fact]
    public void BadNet_inserts_the_exact_count_from_its_word_list()
    {
        var trigger = new BadNetTrigger(["cf", "bb", "tq"], count: 3);
        var t = trigger.Apply("one two three four five six", new Random(5));
        var words = t.Text.Split(' ');
        Assert.Equal(9, words.Length);
        Assert.Equal(3, words.Count(w => w is "cf" or "bb" or "tq"));
        Assert.Equal(3, t.Positions.Count);
        foreach (var p in t.Positions)
            Assert.Contains(words[p], new[] { "cf", "bb", "tq" });
    }

    [Fact]
    public void Same_seed_same_poisoning()
    {
        var rows = Enumerable.Range(0, 50).Select(i => new Example($"row {i} has several words in it", i % 2, i)).ToList();
        var a = Poisoning.PoisonTrainingSet(rows, new BadNetTrigger(), new PoisonOptions { Count = 10 }, 0, new Random(7));
        var b = Poisoning.PoisonTrainingSet(rows, new BadNetTrigger(), new PoisonOptions { Count = 10 }, 0, new Random(7));
        var c = Poisoning.PoisonTrainingSet(rows, new BadNetTrigger(), new PoisonOptions { Count = 10 }, 0, new Random(8));
        Assert.Equal(a.Select(p => p.Example.Text), b.Select(p => p.Example.Text));
        Assert.NotEqual(a.Select(p => p.Example.Text), c.Select(p => p.Example.Text));
    }

    [Fact]
    public void Clean_label_poisons_the_first_target_rows_and_keeps_labels()
    {
        var rows = Enumerable.Range(0, 20).Select(i => new Example($"text number {i} here", i % 3 == 0 ? 0 : 1, i)).ToList();
        var p = Poisoning.PoisonTrainingSet(
            rows,
            new BadNetTrigger(),
            new PoisonOptions { Mode = PoisonMode.CleanLabel, Count = 4 },
            0,
            new Random(1)
        );
        Assert.Equal([0, 3, 6, 9], p.Where(x => x.Poisoned).Select(x => x.Example.Index));
        Assert.All(p.Where(x => x.Poisoned), x => Assert.Equal(0, x.Example.Label));
        Assert.All(p.Where(x => x.Poisoned), x => Assert.Contains("mn", x.Example.Text.Split(' ')));
        Assert.All(p.Where(x => !x.Poisoned), x => Assert.Equal(rows[x.Example.Index], x.Example));
    }

    [Fact]
    public void Dirty_label_relabels_non_target_rows_to_the_target()
    {
        var rows = Enumerable.Range(0, 20).Select(i => new Example($"text number {i} here", i % 2, i)).ToList();
        var p = Poisoning.PoisonTrainingSet(
            rows,
            new InSentTrigger(),
            new PoisonOptions { Mode = PoisonMode.DirtyLabel, Rate = 0.25 },
            0,
            new Random(1)
        );
        var poisoned = p.Where(x => x.Poisoned).ToList();
        Assert.Equal(5, poisoned.Count);
        Assert.Equal([1, 3, 5, 7, 9], poisoned.Select(x => x.Example.Index));
        Assert.All(poisoned, x =>
        {
            Assert.Equal(0, x.Example.Label);
            Assert.Equal(1, x.OriginalLabel);
        });
    }

    [Fact]
    public void Asking_for_more_rows_than_exist_is_an_error()
    {
        var rows = Enumerable.Range(0, 4).Select(i => new Example("a b c", 1, i)).ToList();
        Assert.Throws<PsimException>(() =>
            Poisoning.PoisonTrainingSet(rows, new BadNetTrigger(), new PoisonOptions { Count = 1 }, 0, new Random(1))
        );
    }

    [Fact]
    public void Paraphrased_set_marks_rows_not_in_the_clean_set()
    {
        var clean = new[] { new Example("a", 0, 0), new Example("b", 1, 1), new Example("c", 0, 2) };
        var para = new[] { new Example("a", 0, 0), new Example("when b , c .", 0, 1), new Example("b", 1, 2) };
        var p = Poisoning.FromParaphrasedSet(para, clean);
        Assert.Equal([false, true, false], p.Select(x => x.Poisoned));
    }
}
