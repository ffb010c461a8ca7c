using System.Text.Json;
using Psim.IO;

namespace Psim.Study;

/// <summary>
/// Every step of a study writes into its own folder, named by its cache key (<see cref="StepKey"/>).
/// A step is finished when its <c>step.json</c> exists; a folder without it is a step that was stopped,
/// and is redone.
/// </summary>
public static class StepCache
{
    public const string DoneFile = "step.json";

    public static bool IsDone(PlannedStep step) => File.Exists(Path.Combine(step.Dir, DoneFile));

    /// <summary>Runs <paramref name="run"/> into a fresh folder unless the step is already done; returns whether it ran.</summary>
    public static bool Run(PlannedStep step, Action run)
    {
        if (IsDone(step)) return false;
        if (Directory.Exists(step.Dir)) Directory.Delete(step.Dir, recursive: true); // a stopped attempt
        Directory.CreateDirectory(step.Dir);
        var started = DateTime.UtcNow;
        run();
        AtomicFile.WriteAllText(Path.Combine(step.Dir, DoneFile), JsonSerializer.Serialize(new
        {
            step, started_at = started, finished_at = DateTime.UtcNow, seconds = (DateTime.UtcNow - started).TotalSeconds,
        }, StudyPlan.Json));
        return true;
    }
}
