using Psim.Training;
using Psim.Workflows;

namespace Psim.Tests;

/// <summary>Result files are written and read by one record type each, in the snake_case JSON Python users read.</summary>
public class ResultFileTests
{
    [Fact]
    public void A_result_file_reads_back_what_was_written_and_names_itself_when_malformed()
    {
        var dir = TestModels.TempDir();
        var m = new FinetuneMetrics(
            0.9,
            [0.8, 1.0],
            0.25,
            100,
            40,
            "badnet",
            Psim.Peft.TuningMethod.Lora,
            1234,
            "sst-2",
            2,
            [
                new EpochLog(1, 0.5, 0.85, new Dictionary<string, double>(), 3.5),
                new EpochLog(2, 0.3, 0.9, new Dictionary<string, double> { ["asr"] = 1 }, 3.0),
            ]
        );
        ResultFiles.Finetune.Write(dir, m);
        var text = File.ReadAllText(Path.Combine(dir, "metrics.json"));
        foreach (
            var field in new[]
            {
                "\"clean_accuracy\": 0.9",
                "\"clean_accuracy_by_label\"",
                "\"attack_success_rate\": 0.25",
                "\"trainable_parameters\": 1234",
                "\"best_epoch\": 2",
                "\"train_loss\": 0.5",
            }
        )
            Assert.Contains(field, text);
        var back = ResultFiles.Finetune.Read(dir)!;
        Assert.Equal(m.CleanAccuracy, back.CleanAccuracy);
        Assert.Equal(m.CleanAccuracyByLabel, back.CleanAccuracyByLabel);
        Assert.Equal(1.0, back.Epochs[1].Dev["asr"]);
        Assert.Equal(m with { CleanAccuracyByLabel = back.CleanAccuracyByLabel, Epochs = back.Epochs }, back);

        Assert.Null(ResultFiles.Poison.Read(TestModels.TempDir())); // no file: no result
        File.WriteAllText(Path.Combine(dir, "metrics.json"), "{\"clean_accuracy\": \"high\"}");
        var e = Assert.Throws<PsimFormatException>(() => ResultFiles.Finetune.Read(dir));
        Assert.Contains("metrics.json", e.Message);
        Assert.Contains(nameof(FinetuneMetrics), e.Message);
    }
}
