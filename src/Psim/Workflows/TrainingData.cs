using Psim.Data;

namespace Psim.Workflows;

/// <summary>
/// What a training workflow (poisoning, fine-tuning) reads of its task, loaded and checked before
/// anything trains: the train and dev rows (recorded in run.json with their hashes), the number of
/// classes they agree on, and the test inputs (clean rows, and the attack rows when an attack is named).
/// </summary>
public sealed record TrainingData(TaskData Data, IReadOnlyList<Example> Train, IReadOnlyList<Example> Dev, int NumClasses, EvalInputs Eval)
{
    /// <param name="seed">the run's seed (trigger positions in the attack rows)</param>
    public static TrainingData Load(TaskInput task, AttackInput? attack, long seed, RunRecord record)
    {
        var data = task.Open();
        var train = data.Load("train");
        var dev = data.Load("dev");
        record.AddData("train", data.RequireFile("train"), train.Count);
        record.AddData("dev", data.RequireFile("dev"), dev.Count);
        int k = TaskClasses.Count(train, data.RequireFile("train"));
        TaskClasses.Check(dev, k, data.RequireFile("dev"));
        var eval = EvalInputs.Load(data, k, attack, seed);
        record.AddData("test", data.RequireFile("test"), eval.Test.Count);
        return new TrainingData(data, train, dev, k, eval);
    }
}
