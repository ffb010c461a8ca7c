using System.CommandLine;
using Psim.Defense.Baselines;

namespace Psim.Cli;

/// <summary>RAP's and DAN's settings (<c>--rap-*</c>, <c>--dan-*</c>); binds <see cref="RapOptions"/> and <see cref="DanOptions"/>, defaults from the records.</summary>
internal sealed class DetectorSettingsFlags
{
    private static readonly RapOptions Rap = new();
    private static readonly DanOptions Dan = new();
    private readonly Option<string> _rapWord = new("--rap-word") { Description = "RAP: the rare word put in front of inputs (one wordpiece; pick one the attacker is unlikely to use)", DefaultValueFactory = _ => Rap.Word };
    private readonly Option<int> _rapEpochs = new("--rap-epochs") { Description = "RAP: epochs of training the word's row", DefaultValueFactory = _ => Rap.Epochs };
    private readonly Option<double> _rapLr = new("--rap-lr") { Description = "RAP: step size of the word's row (the paper's 1e-2)", DefaultValueFactory = _ => Rap.LearningRate };
    private readonly Option<int> _rapRows = new("--rap-train-rows") { Description = "RAP: at most this many clean training rows of the target label train the row", DefaultValueFactory = _ => Rap.TrainRows };
    private readonly VocabularyOption.Defaulted<DanAggregation> _danAggregation = VocabularyOption.Create("--dan-aggregation", "DAN: how the per-layer normalised distances combine", Dan.Aggregation);
    private readonly Option<double> _danShrinkage = new("--dan-shrinkage") { Description = "DAN: covariance shrinkage toward a scaled identity", DefaultValueFactory = _ => Dan.Shrinkage };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { _rapWord, _rapEpochs, _rapLr, _rapRows, _danAggregation.Option, _danShrinkage }) c.Options.Add(o);
    }

    public RapOptions ReadRap(ParseResult r) => Rap with { Word = r.GetValue(_rapWord)!, Epochs = r.GetValue(_rapEpochs), LearningRate = r.GetValue(_rapLr), TrainRows = r.GetValue(_rapRows) };

    public DanOptions ReadDan(ParseResult r) => Dan with { Aggregation = _danAggregation.Read(r), Shrinkage = r.GetValue(_danShrinkage) };
}
