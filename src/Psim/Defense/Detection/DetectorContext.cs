using Psim.Data;

namespace Psim.Defense.Detection;

/// <summary>
/// What a defence's detector is built from: the victim, clean dev (the only data a threshold may see) and the clean
/// training rows, the protected label, the run's seed, the defences' settings, PSIM's loaded detector when the run
/// has one, a log and a cancellation. Objects several uses of one defence share (ONION's language model) are made
/// once per run (<see cref="Shared{T}"/>).
/// </summary>
public sealed class DetectorContext(
    VictimUnderTest victim,
    IReadOnlyList<Example> dev,
    Func<IReadOnlyList<Example>> train,
    int targetLabel,
    long seed,
    Func<Type, ICheckedOptions> settings,
    Action<string> log,
    CancellationToken ct
)
{
    private readonly Lazy<IReadOnlyList<Example>> _train = new(train);
    private readonly Dictionary<string, object> _shared = [];

    public VictimUnderTest Victim => victim;
    public IReadOnlyList<Example> Dev => dev;
    public IReadOnlyList<string> DevTexts { get; } = dev.Select(e => e.Text).ToList();

    /// <summary>The clean training rows, read on first use.</summary>
    public IReadOnlyList<Example> Train => _train.Value;
    public int TargetLabel => targetLabel;
    public long Seed => seed;
    public Action<string> Log => log;
    public CancellationToken Ct => ct;

    /// <summary>PSIM's detector, loaded on the victim's backbone (null when the run compares no PSIM).</summary>
    public Psim.PsimDetector? Psim { get; init; }

    /// <summary>The word-embedding rows a model audit of the victim's checkpoint against its clean base named as suspect (null: no audit ran; empty: it named none).</summary>
    public IReadOnlyList<SuspectToken>? SuspectTokens { get; init; }

    /// <summary>The run's settings record of type <typeparamref name="T"/> (a defence's options).</summary>
    public T Settings<T>()
        where T : ICheckedOptions => (T)settings(typeof(T));

    /// <summary>One object per run under <paramref name="key"/>, made on first use.</summary>
    public T Shared<T>(string key, Func<T> make)
        where T : class
    {
        if (!_shared.TryGetValue(key, out var o))
            _shared[key] = o = make();
        return (T)o;
    }
}
