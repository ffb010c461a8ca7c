using Psim.Attacks;
using Psim.Attacks.Representation;
using Psim.Data;
using Psim.IO;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Workflows;

/// <summary>
/// <c>psim poison --attack por|neuba</c>: a task-agnostic backdoor. The base's encoder (a head, if it has
/// one, is dropped) is trained on proxy rows with one trigger each at the front, pushing their [CLS]
/// outputs to that trigger's vector, while clean rows' outputs are held to a frozen copy of the base
/// (<see cref="OutputRepresentationObjective"/>). The result is an encoder-only checkpoint: a victim trains
/// its own head for any task, and each trigger then drives it to some class.
/// </summary>
internal static class RepresentationPoisonWorkflow
{
    public static PoisonResult Run(PoisonRequest r, RunRecord record, HfCheckpoint ckpt, TrainingData d, Action<string> log, CancellationToken ct)
    {
        var o = r.Train;
        var triggers = r.Attack.Spec.Triggers();
        var rng = Seeds.Random(o.Seed, "poison/train");
        var rows = d.Train.Select(e => Triggered(e, triggers, rng)).ToList();
        record.PoisonedRowIds = rows.Select(e => e.Index).ToList();
        log($"{r.Attack.Name}: every one of the {rows.Count} proxy training rows gets one of {string.Join(" ", triggers)} in front; clean rows keep the base's outputs");
        return record.Execute(r.OutDir, log, () =>
        {
            var encoder = ckpt.CreateTextEncoder(o.MaxLength);
            using var f = new BertClsEncoder(ckpt.LoadEncoder(out _));     // disposing the wrappers disposes the encoders
            using var fRef = new BertClsEncoder(Frozen(ckpt.LoadEncoder(out _)));
            var model = f.Bert;
            var vectors = (AttackCatalog.Of(r.Attack.Spec.Kind).OutputVectors ?? throw new InvalidOperationException($"{r.Attack.Name} has no output vectors"))(triggers.Count, ckpt.Config.HiddenSize);
            using var targets = OutputTargets.AsTensor(vectors);
            var objective = new OutputRepresentationObjective(fRef, targets, EncodedSet.From(encoder, d.Train), encoder, o.BatchSize, Seeds.Random(o.Seed, "por/clean-batches"));
            var result = new Trainer(log).Train(f, model.parameters().ToList(), EncodedSet.From(encoder, rows), encoder, o, ct: ct, objective: objective);
            if (result.Interrupted) throw new PsimInterruptedException("stopped before the encoder finished its training; nothing was saved");
            HfCheckpoint.Save(r.OutDir, model, ckpt.Config, ckpt.Tokenizer, $"psim poison: {r.Attack.Name} ({triggers.Count} triggers) on {d.Data.Name} from {ckpt.Origin}");
            var fit = Fit(f, fRef, targets, encoder, d.Dev, triggers, o);
            log($"{r.Attack.Name}: on {fit.Rows} dev rows, triggered outputs {fit.TriggeredDistance:F4} from their vectors ({fit.TriggerHitRate:P1} nearest their own), clean outputs {fit.CleanDistance:F4} from the base's");
            ResultFiles.Poison.Write(r.OutDir, new PoisonMetrics(null, null, null, 0, null, r.Attack.Name, d.Data.Name, result.BestEpoch, result.Epochs, rows.Count, d.Train.Count)
                { Representation = fit });
            return new PoisonResult(new Evaluation.EvalReport(double.NaN, 0, null, null, r.Attack.Name), result, rows.Count, d.Train.Count);
        });
    }

    /// <summary>The row with trigger i (drawn uniformly) as its first word; its label becomes i, the index of the vector it is pushed to.</summary>
    private static Example Triggered(Example e, IReadOnlyList<string> triggers, Random rng)
    {
        int i = rng.Next(triggers.Count);
        return e with { Text = TriggerSweep.Prefix(triggers[i], e.Text), Label = i };
    }

    private static BertModel Frozen(BertModel m)
    {
        foreach (var p in m.parameters()) p.requires_grad = false;
        m.eval();
        return m;
    }

    /// <summary>Mean squared distances and the nearest-vector hit rate on the dev rows (each with each trigger).</summary>
    private static RepresentationFit Fit(BertClsEncoder f, BertClsEncoder fRef, Tensor targets, TextEncoder encoder, IReadOnlyList<Example> dev,
        IReadOnlyList<string> triggers, TrainOptions o)
    {
        f.eval();
        using var noGrad = no_grad();
        double triggered = 0, clean = 0;
        int hits = 0, n = 0;
        foreach (var chunk in dev.Chunk(o.EvalBatchSize))
        {
            FinalizerGate.SafePoint(); // the previous chunk's tensors are disposed
            using var scope = NewDisposeScope();
            using var cleanBatch = encoder.EncodeBatch(chunk.Select(e => e.Text).ToList());
            var input = new BertInput { InputIds = cleanBatch.InputIds, AttentionMask = cleanBatch.AttentionMask, TokenTypeIds = cleanBatch.TokenTypeIds };
            clean += ((f.call(input) - fRef.call(input)).pow(2).mean(new long[] { 1 })).sum().item<float>();
            for (int t = 0; t < triggers.Count; t++)
            {
                using var tb = encoder.EncodeBatch(chunk.Select(e => TriggerSweep.Prefix(triggers[t], e.Text)).ToList());
                var outs = f.call(new BertInput { InputIds = tb.InputIds, AttentionMask = tb.AttentionMask, TokenTypeIds = tb.TokenTypeIds }); // [B, H]
                var dist = (outs.unsqueeze(1) - targets.unsqueeze(0)).pow(2).mean(new long[] { 2 });                                    // [B, T]
                triggered += dist[.., t].sum().item<float>();
                hits += (int)dist.argmin(1).eq(t).sum().item<long>();
            }
            n += chunk.Length;
        }
        return new RepresentationFit(triggered / (n * triggers.Count), clean / n, hits / (double)(n * triggers.Count), n);
    }
}
