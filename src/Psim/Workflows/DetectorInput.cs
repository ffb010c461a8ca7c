using Psim.Defense.Psim;
using Psim.IO;

namespace Psim.Workflows;

/// <summary>A trained PSIM detector folder, and where its suspicious checkpoint is when the victim is not it.</summary>
public sealed record DetectorInput
{
    public required string Folder { get; init; }

    /// <summary>The detector's checkpoint when the victim is a fully fine-tuned copy of it (null: the one psim.json records).</summary>
    public string? Base { get; init; }

    /// <summary>
    /// Loads the detector on the suspicious checkpoint: <see cref="Base"/> when given; else the victim's own
    /// checkpoint when the victim is that checkpoint with an adapter; else the checkpoint psim.json records.
    /// </summary>
    public PsimDetector Load(VictimInput victim, HfCheckpoint victimCheckpoint, Action<string> log)
    {
        var detectorBase =
            Base is not null ? ModelResolver.Open(Base, log)
            : victim.Adapter is not null ? victimCheckpoint
            : null;
        return PsimDetector.Load(Folder, detectorBase, log);
    }
}
