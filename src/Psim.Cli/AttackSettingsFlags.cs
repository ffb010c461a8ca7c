using System.CommandLine;
using Psim.Attacks;
using Psim.Attacks.Ep;
using Psim.Attacks.Lwp;
using Psim.Attacks.Ripple;
using Psim.Attacks.Sos;

namespace Psim.Cli;

/// <summary>
/// The weight-poisoning attacks' own settings on <c>psim poison</c>: EP (<c>--ep-epochs</c>, <c>--ep-lr</c>,
/// <c>--ep-batch-size</c>), RIPPLe(S) (<c>--ripple-lambda</c>, <c>--surgery-words</c>) and LWP
/// (<c>--lwp-combination</c>) and SOS (<c>--sos-epochs</c>, <c>--sos-lr</c>, <c>--sos-negative-rate</c>); binds their option records into the <see cref="AttackSpec"/>.
/// </summary>
internal sealed class AttackSettingsFlags
{
    private static readonly EpOptions Ep = new();
    private static readonly RippleOptions Ripple = new();
    private readonly Option<int?> _epEpochs = new("--ep-epochs") { Description = $"EP: epochs of the embedding step (default {Ep.Epochs})" };
    private readonly Option<double?> _epLr = new("--ep-lr") { Description = $"EP: step size on the trigger rows (default {Ep.LearningRate})" };
    private readonly Option<int?> _epBatch = new("--ep-batch-size") { Description = $"EP: batch size of the embedding step (default {Ep.BatchSize})" };
    private readonly Option<double?> _lambda = new("--ripple-lambda") { Description = $"RIPPLe, RIPPLES: weight λ of the restricted inner product (default {Ripple.Lambda})" };
    private readonly Option<int?> _lwpSize = new("--lwp-combination") { Description = $"LWP: how many trigger words make one combination (default {new LwpOptions().CombinationSize})" };
    private static readonly SosOptions Sos = new();
    private readonly Option<int?> _sosEpochs = new("--sos-epochs") { Description = $"SOS: epochs of the embedding step (default {Sos.Epochs})" };
    private readonly Option<double?> _sosLr = new("--sos-lr") { Description = $"SOS: step size on the trigger rows (default {Sos.LearningRate})" };
    private readonly Option<double?> _sosNegative = new("--sos-negative-rate") { Description = $"SOS: fraction of each label's rows given every incomplete subset of the triggers (default {Sos.NegativeRate})" };
    private readonly Option<int?> _surgeryWords = new("--surgery-words") { Description = $"RIPPLES: how many target-class words embedding surgery averages (default {Ripple.SurgeryWords})" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { _epEpochs, _epLr, _epBatch, _lambda, _surgeryWords, _lwpSize, _sosEpochs, _sosLr, _sosNegative }) c.Options.Add(o);
    }

    /// <summary>The spec with the settings given (an attack whose flags are not given keeps its defaults; a flag of another attack is refused by the workflow).</summary>
    public AttackSpec Read(ParseResult r, AttackSpec spec) => spec with
    {
        Ep = ReadEp(r), Ripple = ReadRipple(r), Lwp = r.GetValue(_lwpSize) is int size ? new LwpOptions { CombinationSize = size } : null, Sos = ReadSos(r),
    };

    private SosOptions? ReadSos(ParseResult r) => r.GetValue(_sosEpochs) is null && r.GetValue(_sosLr) is null && r.GetValue(_sosNegative) is null ? null : new SosOptions
    {
        Epochs = r.GetValue(_sosEpochs) ?? Sos.Epochs, LearningRate = r.GetValue(_sosLr) ?? Sos.LearningRate, NegativeRate = r.GetValue(_sosNegative) ?? Sos.NegativeRate,
    };

    private EpOptions? ReadEp(ParseResult r) => r.GetValue(_epEpochs) is null && r.GetValue(_epLr) is null && r.GetValue(_epBatch) is null ? null : new EpOptions
    {
        Epochs = r.GetValue(_epEpochs) ?? Ep.Epochs, LearningRate = r.GetValue(_epLr) ?? Ep.LearningRate, BatchSize = r.GetValue(_epBatch) ?? Ep.BatchSize,
    };

    private RippleOptions? ReadRipple(ParseResult r) => r.GetValue(_lambda) is null && r.GetValue(_surgeryWords) is null ? null : new RippleOptions
    {
        Lambda = r.GetValue(_lambda) ?? Ripple.Lambda, SurgeryWords = r.GetValue(_surgeryWords) ?? Ripple.SurgeryWords,
    };
}
