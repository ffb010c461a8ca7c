using System.Text;
using Psim.Data;

namespace Psim.Tests;

public class DatasetReaderTests
{
    private static string Write(string name, string content, bool bom = false)
    {
        var path = Path.Combine(TestModels.TempDir(), name);
        File.WriteAllText(path, content, new UTF8Encoding(bom));
        return path;
    }

    private static string Error(string path, ReadOptions? o = null) =>
        Assert.ThrowsAny<PsimException>(() => DatasetReader.Read(path, o)).Message;

    [Fact]
    public void Reads_json_lines_with_bom_and_blank_lines()
    {
        var rows = DatasetReader.Read(
            Write("d.jsonl", "{\"sentence\": \"good\", \"label\": 1, \"idx\": 7}\n\n{\"sentence\": \"bad\", \"label\": 0}\n", bom: true)
        );
        Assert.Equal([new Example("good", 1, 7), new Example("bad", 0, 1)], rows);
    }

    [Fact]
    public void Reads_json_arrays()
    {
        var rows = DatasetReader.Read(Write("d.json", "[\n {\"sentence\": \"x y\", \"label\": 0},\n {\"text\": \"z\", \"label\": 2}\n]"));
        Assert.Equal(2, rows.Count);
        Assert.Equal("z", rows[1].Text);
        Assert.Equal(2, rows[1].Label);
    }

    [Fact]
    public void Reads_tsv_with_and_without_header_trimming_fields()
    {
        var a = DatasetReader.Read(Write("a.tsv", "sentence\tlabel\n  nice film \t 1 \nawful\t0\n"));
        Assert.Equal([new Example("nice film", 1, 0), new Example("awful", 0, 1)], a);
        var b = DatasetReader.Read(Write("b.tsv", "nice film\t1\r\nawful\t0\r\n"));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Reads_csv_with_named_columns_and_quotes()
    {
        var rows = DatasetReader.Read(
            Write("d.csv", "id,review,stars\n1,\"great, really \"\"great\"\"\",1\n2,\"two\nlines\",0\n"),
            new ReadOptions { TextColumn = "review", LabelColumn = "stars" }
        );
        Assert.Equal("great, really \"great\"", rows[0].Text);
        Assert.Equal("two\nlines", rows[1].Text);
        Assert.Equal(0, rows[1].Label);
    }

    [Fact]
    public void Format_can_be_overridden()
    {
        var rows = DatasetReader.Read(
            Write("data.txt", "{\"sentence\": \"a\", \"label\": 1}\n"),
            new ReadOptions { Format = DataFormat.JsonLines }
        );
        Assert.Single(rows);
    }

    [Fact]
    public void Malformed_rows_name_file_and_line()
    {
        Assert.Matches(@"d\.jsonl:2: bad JSON", Error(Write("d.jsonl", "{\"sentence\": \"a\", \"label\": 1}\n{oops\n")));
        Assert.Matches(@"d\.jsonl:1: missing field ""label""", Error(Write("d.jsonl", "{\"sentence\": \"a\"}\n")));
        Assert.Matches(@"d\.jsonl:1: missing field ""sentence""", Error(Write("d.jsonl", "{\"label\": 1}\n")));
        Assert.Matches(@"d\.jsonl:1: label ""1"" is not an integer", Error(Write("d.jsonl", "{\"sentence\": \"a\", \"label\": \"1\"}\n")));
        Assert.Matches(@"d\.jsonl:1: label 1\.5 is not an integer", Error(Write("d.jsonl", "{\"sentence\": \"a\", \"label\": 1.5}\n")));
        Assert.Matches(@"d\.jsonl:1: empty text", Error(Write("d.jsonl", "{\"sentence\": \"  \", \"label\": 1}\n")));
        Assert.Matches(@"d\.jsonl:1: label -1 is out of range", Error(Write("d.jsonl", "{\"sentence\": \"a\", \"label\": -1}\n")));
        Assert.Matches(
            @"d\.jsonl:1: label 3 is out of range \[0, 1\]",
            Error(Write("d.jsonl", "{\"sentence\": \"a\", \"label\": 3}\n"), new ReadOptions { NumClasses = 2 })
        );
        Assert.Matches(@"d\.tsv:2: label ""x"" is not an integer", Error(Write("d.tsv", "a\t1\nb\tx\n")));
        Assert.Matches(@"d\.tsv:2: expected text<TAB>label", Error(Write("d.tsv", "a\t1\njust text\n")));
        Assert.Matches(@"d\.csv:1: no column named ""label""", Error(Write("d.csv", "sentence,score\na,1\n")));
        Assert.Matches(@"d\.csv:2: unterminated quoted field", Error(Write("d.csv", "sentence,label\n\"open,1\n")));
        Assert.Contains("cannot tell the data format", Error(Write("d.xml", "<x/>")));
        Assert.Contains("no rows", Error(Write("e.jsonl", "\n")));
    }

    [Fact]
    public void Empty_text_stops_the_read_unless_allowed()
    {
        var path = Write("e.jsonl", "{\"sentence\": \"good\", \"label\": 1}\n{\"sentence\": \"\", \"label\": 0}\n");
        Assert.Contains("--allow-empty-text", Error(path));
        var rows = DatasetReader.Read(path, new ReadOptions { AllowEmptyText = true });
        Assert.Equal(["good", ""], rows.Select(r => r.Text));
        var dir = Path.GetDirectoryName(path)!;
        File.Copy(path, Path.Combine(dir, "train.jsonl"));
        Assert.Equal(
            2,
            new TaskData(dir) { Options = new ReadOptions { AllowEmptyText = true } }
                .Load("train")
                .Count
        );
    }

    [Fact]
    public void Row_limits_keep_paraphrased_test_copies_aligned_with_the_sampled_test_rows()
    {
        var dir = TestModels.TempDir();
        var labels = new[] { 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0 };
        string Rows(IEnumerable<(string Text, int Label)> rows) =>
            string.Concat(rows.Select(r => $"{{\"sentence\": \"{r.Text}\", \"label\": {r.Label}}}\n"));
        File.WriteAllText(Path.Combine(dir, "test.jsonl"), Rows(labels.Select((l, i) => ($"row {i}", l))));
        File.WriteAllText(Path.Combine(dir, "test_backtranslated.jsonl"), Rows(labels.Select((l, i) => ($"row {i} back", l))));
        var nonTarget = Enumerable.Range(0, labels.Length).Where(i => labels[i] != 0).ToList();
        File.WriteAllText(Path.Combine(dir, "test_badnet_paraphrased.jsonl"), Rows(nonTarget.Select(i => ($"row {i} mn para", 1))));
        File.WriteAllText(Path.Combine(dir, "test_other.jsonl"), Rows(Enumerable.Range(0, 9).Select(i => ($"other {i}", 1))));

        var data = new TaskData(dir) { Limits = new RowLimits(null, 5, 7) };
        var test = data.Load("test");
        Assert.Equal(5, test.Count);
        var ids = test.Select(e => e.Text).ToList();
        Assert.Equal(ids.Select(t => t + " back"), data.LoadTestCopy("test_backtranslated", 0).Select(e => e.Text));
        Assert.Equal(
            test.Where(e => e.Label != 0).Select(e => e.Text + " mn para"),
            data.LoadTestCopy("test_badnet_paraphrased", 0).Select(e => e.Text)
        );
        Assert.Equal(5, data.LoadTestCopy("test_other", 0).Count); // neither shape: sampled on its own
        Assert.Equal(labels.Length, new TaskData(dir).LoadTestCopy("test_backtranslated", 0).Count); // no limits: every row
    }

    [Fact]
    public void Reads_the_shared_sst2_files_when_present()
    {
        var dir = Path.Combine(Repo.Root(), "..", "shared", "datasets", "sst-2");
        if (!Directory.Exists(dir))
            return; // the shared data is an optional neighbour of the repository
        var data = new TaskData(dir);
        Assert.Equal(6920, data.Load("train").Count);
        Assert.Equal(909, data.Load("test_synattack").Count);
    }
}
