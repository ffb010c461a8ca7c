using Psim.Attacks;
using Psim.Data;
using Psim.Files;
using Psim.Runtime;

namespace Psim.Workflows;

/// <summary>What <c>psim data poison</c> does: a poisoned copy of one labelled data file, for inspection.</summary>
public sealed record DataPoisonRequest
{
    /// <summary>A labelled data file (.jsonl, .json, .tsv, .csv).</summary>
    public required string DataFile { get; init; }
    public ReadOptions Reading { get; init; } = ReadOptions.Default;
    public required AttackInput Attack { get; init; }
    public PoisonOptions Poison { get; init; } = new();

    /// <summary>The run's seed (trigger positions).</summary>
    public long Seed { get; init; } = Defaults.Seed;

    /// <summary>The JSON Lines file to write, one row per input row with its 'poisoned' flag.</summary>
    public required string OutFile { get; init; }

    /// <summary>Replace an existing <see cref="OutFile"/>.</summary>
    public bool Force { get; init; }
}

public sealed record DataPoisonResult(int Rows, int PoisonedRows, string Trigger);

/// <summary>Poisons a data file the way <c>psim poison</c> poisons its training set (same rows, same trigger positions for the same seed).</summary>
public static class DataPoisonWorkflow
{
    public static DataPoisonResult Run(DataPoisonRequest r)
    {
        var trigger = r.Attack.Spec.CreateTrigger()
            ?? throw new PsimException(
                "SynAttack rows cannot be generated here (they need the SCPN paraphraser); its poisoned sets come as pre-paraphrased files"
            );
        OutputPaths.ClaimFile(r.OutFile, [r.DataFile], r.Force);
        var rows = DatasetReader.Read(r.DataFile, r.Reading);
        TaskClasses.CheckTarget(r.Attack.TargetLabel, TaskClasses.Count(rows, r.DataFile)); // labels 0 .. K-1, each present
        var poisoned = Poisoning.PoisonTrainingSet(rows, trigger, r.Poison, r.Attack.TargetLabel, Seeds.Random(r.Seed, "poison/train"));
        var lines = poisoned.Select(p =>
            System.Text.Json.JsonSerializer.Serialize(
                new
                {
                    sentence = p.Example.Text,
                    label = p.Example.Label,
                    idx = p.Example.Index,
                    poisoned = p.Poisoned,
                    original_label = p.OriginalLabel,
                    trigger_positions = p.TriggerPositions,
                }
            )
        );
        AtomicFile.WriteAllText(r.OutFile, string.Join('\n', lines) + "\n");
        return new DataPoisonResult(poisoned.Count, poisoned.Count(p => p.Poisoned), trigger.Description);
    }
}
