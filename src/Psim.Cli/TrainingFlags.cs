using System.CommandLine;
using Psim.Training;

namespace Psim.Cli;

/// <summary>The training options shared by poison and finetune, with per-command defaults.</summary>
internal sealed class TrainingFlags
{
    public Option<int> Epochs { get; }
    public Option<double?> LearningRate { get; }
    public Option<int> BatchSize { get; }
    public Option<int> MaxLength { get; }
    public Option<double> Warmup { get; }
    public Option<double> WeightDecay { get; }
    public Option<double?> MaxGradNorm { get; } =
        new("--max-grad-norm") { Description = "clip the gradient norm to this value (default: no clipping)" };
    public Option<bool> NoBucketing { get; } =
        new("--no-bucketing") { Description = "batch rows in random order instead of grouping similar lengths" };
    public Option<long> Seed { get; } = Cli.SeedOption("the one seed of the run");

    public TrainingFlags(TrainOptions defaults, string? lrHelp = null)
    {
        Epochs = new("--epochs") { Description = "training epochs", DefaultValueFactory = _ => defaults.Epochs };
        LearningRate = new("--lr") { Description = $"peak learning rate (AdamW) (default: {lrHelp ?? Rate(defaults.LearningRate)})" };
        BatchSize = new("--batch-size") { Description = "training batch size", DefaultValueFactory = _ => defaults.BatchSize };
        MaxLength = new("--max-length")
        {
            Description = "truncate inputs to this many tokens",
            DefaultValueFactory = _ => defaults.MaxLength,
        };
        Warmup = new("--warmup") { Description = "fraction of steps for linear warm-up", DefaultValueFactory = _ => defaults.WarmupRatio };
        WeightDecay = new("--weight-decay") { Description = "AdamW weight decay", DefaultValueFactory = _ => defaults.WeightDecay };
    }

    /// <summary>A learning rate as the reference writes it (2e-5).</summary>
    public static string Rate(double x) => x.ToString("0.#####E+0", System.Globalization.CultureInfo.InvariantCulture).ToLowerInvariant();

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Epochs, LearningRate, BatchSize, MaxLength, Warmup, WeightDecay, MaxGradNorm, NoBucketing, Seed })
            c.Options.Add(o);
    }

    public TrainOptions Read(ParseResult r, double defaultLearningRate)
    {
        Cli.ApplyThreads(r);
        return new TrainOptions
        {
            Epochs = r.GetValue(Epochs),
            LearningRate = r.GetValue(LearningRate) ?? defaultLearningRate,
            BatchSize = r.GetValue(BatchSize),
            MaxLength = r.GetValue(MaxLength),
            WarmupRatio = r.GetValue(Warmup),
            WeightDecay = r.GetValue(WeightDecay),
            MaxGradNorm = r.GetValue(MaxGradNorm),
            LengthBucketing = !r.GetValue(NoBucketing),
            Seed = r.GetValue(Seed),
        };
    }
}
