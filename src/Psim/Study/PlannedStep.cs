using System.Text.Json.Serialization;
using Psim.Attacks;
using Psim.Peft;
using Psim.Workflows;

namespace Psim.Study;

/// <summary>The kinds of step of a study, in the order they run for one task pair, seed and attack.</summary>
public enum StepKind
{
    Poison,
    Victim,
    Detector,
    PsimFixed,
    PsimCalibrated,
    Baselines,
}

/// <summary>
/// One step of a <see cref="StudyPlan"/>: what it computes (<see cref="Request"/>, a workflow request
/// whose output folder is <see cref="Dir"/>), the steps whose folders it reads, and its cache key,
/// derived from the request (<see cref="StepKey"/>). A step the study cannot run (SynAttack without its
/// paraphrased files) has no request and says why in <see cref="Skipped"/>.
/// </summary>
public sealed record PlannedStep
{
    public required StepKind Kind { get; init; }

    /// <summary>Readable and unique within the study: kind, pair, attack, strategy, seed.</summary>
    public required string Name { get; init; }
    public required TaskPair Pair { get; init; }
    public required AttackKind Attack { get; init; }

    /// <summary>The victim's strategy (full or a PEFT method) for victim, PSIM and baseline steps.</summary>
    public TuningMethod? Strategy { get; init; }
    public required long Seed { get; init; }
    public string Key { get; init; } = "";
    public string Dir { get; init; } = "";

    /// <summary>The version of psim's code for this kind of step (<see cref="StepCode"/>), part of the key.</summary>
    public int Code { get; init; }
    public IReadOnlyList<string> Upstream { get; init; } = [];
    public StepRequest? Request { get; init; }
    public string? Skipped { get; init; }

    /// <summary>Kind, pair, attack, strategy and seed, as progress lines name the step.</summary>
    public string Describe() =>
        $"{Vocabulary<StepKind>.Name(Kind)} {Pair.Name} {Vocabulary<AttackKind>.Name(Attack)}{(Strategy is { } s ? " " + s.Name() : "")} seed {Seed}";

    /// <summary>Whether <paramref name="other"/> belongs to the same victim (pair, attack, strategy, seed).</summary>
    public bool SameVictim(PlannedStep other) =>
        Pair == other.Pair && Attack == other.Attack && Strategy == other.Strategy && Seed == other.Seed;
}

/// <summary>A step's request: one of the workflows' requests, named in JSON by its workflow.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "workflow")]
[JsonDerivedType(typeof(StepRequest<PoisonRequest>), "poison")]
[JsonDerivedType(typeof(StepRequest<FinetuneRequest>), "finetune")]
[JsonDerivedType(typeof(StepRequest<DetectorRequest>), "detector")]
[JsonDerivedType(typeof(StepRequest<DefendRequest>), "defend")]
[JsonDerivedType(typeof(StepRequest<BaselineRequest>), "baselines")]
public abstract record StepRequest
{
    /// <summary>The request with its output folder set.</summary>
    public abstract StepRequest WithOutDir(string dir);

    /// <summary>The request itself, for its key and its run.</summary>
    [JsonIgnore]
    public abstract object Value { get; }
}

public sealed record StepRequest<T>(T Request) : StepRequest
    where T : class, IFolderRequest<T>
{
    public override StepRequest WithOutDir(string dir) => new StepRequest<T>(Request.WithOutDir(dir));

    public override object Value => Request;
}
