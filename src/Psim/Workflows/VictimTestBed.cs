using Psim.Data;
using Psim.IO;
using Psim.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>
/// What a defence workflow measures: the victim, loaded (with its adapter) and checked against the
/// attack's target label, and the clean test rows and attack rows it is measured on (both recorded in
/// run.json with their hashes).
/// </summary>
public sealed record VictimTestBed(TaskData Data, nn.Module<BertInput, Tensor> Victim, HfCheckpoint Checkpoint, TextEncoder Encoder,
    IReadOnlyList<Example> Test, IReadOnlyList<Example> AttackRows) : IDisposable
{
    /// <param name="seed">the run's seed (trigger positions in the attack rows)</param>
    public static VictimTestBed Load(TaskInput task, VictimInput victim, AttackInput attack, long seed, RunRecord record, Action<string> log)
    {
        var data = task.Open();
        var model = victim.Load(log, out var ckpt);
        try
        {
            TaskClasses.CheckTarget(attack.TargetLabel, VictimLoader.NumClasses(model));
            var test = data.Load("test");
            var (attackRows, attackSource) = attack.TestSet(data, seed);
            record.AddData("test", data.RequireFile("test"), test.Count);
            record.AddData("attack-test", attackSource, attackRows.Count);
            return new VictimTestBed(data, model, ckpt, ckpt.CreateTextEncoder(victim.MaxLength), test, attackRows);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public void Dispose() => Victim.Dispose();
}
