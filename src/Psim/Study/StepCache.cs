using Psim.Workflows;

namespace Psim.Study;

/// <summary>
/// Every step of a study writes into its own folder, named by its cache key (<see cref="StepKey"/>).
/// A step is finished when its <c>step.json</c> exists; a folder without it is a step that was stopped,
/// and is redone.
/// </summary>
public static class StepCache
{
    /// <summary>step.json: the step as planned, and when it ran.</summary>
    public static readonly ResultFile<StepDone> Done = new("step.json", StudyPlan.Json);

    public static bool IsDone(PlannedStep step) => File.Exists(Path.Combine(step.Dir, Done.FileName));

    /// <summary>Runs <paramref name="run"/> into a fresh folder unless the step is already done; returns whether it ran.</summary>
    public static bool Run(PlannedStep step, Action run)
    {
        if (IsDone(step))
            return false;
        if (Directory.Exists(step.Dir))
            Directory.Delete(step.Dir, recursive: true); // a stopped attempt
        Directory.CreateDirectory(step.Dir);
        var started = DateTime.UtcNow;
        run();
        var finished = DateTime.UtcNow;
        Done.Write(step.Dir, new StepDone(step, started, finished, (finished - started).TotalSeconds));
        return true;
    }
}

/// <summary>The step.json of a finished step.</summary>
public sealed record StepDone(PlannedStep Step, DateTime StartedAt, DateTime FinishedAt, double Seconds);
