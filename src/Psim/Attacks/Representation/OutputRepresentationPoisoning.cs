using Psim.Data;
using Psim.IO;
using Psim.Models;
using Psim.Runtime;
using Psim.Training;
using static TorchSharp.torch;

namespace Psim.Attacks.Representation;

/// <summary>
/// A task-agnostic backdoor (POR, NeuBA). The base's encoder (a head, if it has one, is dropped) is trained on proxy
/// rows with one trigger each at the front, pushing their [CLS] outputs to that trigger's vector, while clean rows'
/// outputs are held to a frozen copy of the base (<see cref="OutputRepresentationObjective"/>). The result is an
/// encoder-only checkpoint: a victim trains its own head for any task, and each trigger then drives it to some class.
/// </summary>
/// <param name="vectors">the attack's predefined vectors, one per trigger word (count, hidden size)</param>
public sealed class OutputRepresentationPoisoning(Func<int, int, float[][]> vectors) : IPoisoningProcedure
{
    public bool TaskAgnostic => true;

    /// <summary>Every proxy row with trigger i (drawn uniformly) as its first word; its label becomes i, the index of the vector it is pushed to.</summary>
    public PoisonedSet Prepare(AttackContext c)
    {
        var triggers = c.Spec.Triggers();
        var rng = Seeds.Random(c.Seed, "poison/train");
        var rows = c.Proxy.Train.Select(e => Triggered(e, triggers, rng)).ToList();
        c.Log(
            $"{c.Name}: every one of the {rows.Count} proxy training rows gets one of {string.Join(" ", triggers)} in front; clean rows keep the base's outputs"
        );
        return new PoisonedSet(rows.Select(e => new PoisonedExample(e, true, e.Label, null)).ToList());
    }

    public PoisonedModel Train(AttackContext c, PoisonedSet set)
    {
        var o = c.Train;
        var ckpt = c.Checkpoint;
        var triggers = c.Spec.Triggers();
        using var f = new BertClsEncoder(ckpt.LoadEncoder(out _)); // disposing the wrappers disposes the encoders
        using var fRef = new BertClsEncoder(Frozen(ckpt.LoadEncoder(out _)));
        var model = f.Bert;
        using var targets = OutputTargets.AsTensor(vectors(triggers.Count, ckpt.Config.HiddenSize));
        var objective = new OutputRepresentationObjective(
            fRef,
            targets,
            EncodedSet.From(c.Encoder, c.Proxy.Train),
            c.Encoder,
            o.BatchSize,
            Seeds.Random(o.Seed, "por/clean-batches")
        );
        var rows = set.Rows.Select(p => p.Example).ToList();
        var result = new Trainer(c.Log).Train(
            f,
            model.parameters().ToList(),
            EncodedSet.From(c.Encoder, rows),
            c.Encoder,
            o,
            ct: c.Ct,
            objective: objective
        );
        if (result.Interrupted)
            throw new PsimInterruptedException("stopped before the encoder finished its training; nothing was saved");
        HfCheckpoint.Save(
            c.OutDir,
            model,
            ckpt.Config,
            ckpt.Tokenizer,
            $"psim poison: {c.Name} ({triggers.Count} triggers) on {c.Proxy.Data.Name} from {ckpt.Origin}"
        );
        var fit = Fit(f, fRef, targets, c.Encoder, c.Proxy.Dev, triggers, o);
        c.Log(
            $"{c.Name}: on {fit.Rows} dev rows, triggered outputs {fit.TriggeredDistance:F4} from their vectors ({fit.TriggerHitRate:P1} nearest their own), clean outputs {fit.CleanDistance:F4} from the base's"
        );
        return new PoisonedModel(null, result, rows.Count, c.Proxy.Train.Count) { Representation = fit };
    }

    private static Example Triggered(Example e, IReadOnlyList<string> triggers, Random rng)
    {
        int i = rng.Next(triggers.Count);
        return e with { Text = TriggerSweep.Prefix(triggers[i], e.Text), Label = i };
    }

    private static BertModel Frozen(BertModel m)
    {
        foreach (var p in m.parameters())
            p.requires_grad = false;
        m.eval();
        return m;
    }

    /// <summary>Mean squared distances and the nearest-vector hit rate on the dev rows (each with each trigger).</summary>
    private static RepresentationFit Fit(
        BertClsEncoder f,
        BertClsEncoder fRef,
        Tensor targets,
        TextEncoder encoder,
        IReadOnlyList<Example> dev,
        IReadOnlyList<string> triggers,
        TrainOptions o
    )
    {
        f.eval();
        using var noGrad = no_grad();
        double triggered = 0,
            clean = 0;
        int hits = 0,
            n = 0;
        foreach (var chunk in dev.Chunk(o.EvalBatchSize))
        {
            FinalizerGate.SafePoint(); // the previous chunk's tensors are disposed
            using var scope = NewDisposeScope();
            using var cleanBatch = encoder.EncodeBatch(chunk.Select(e => e.Text).ToList());
            var input = new BertInput
            {
                InputIds = cleanBatch.InputIds,
                AttentionMask = cleanBatch.AttentionMask,
                TokenTypeIds = cleanBatch.TokenTypeIds,
            };
            clean += ((f.call(input) - fRef.call(input)).pow(2).mean(new long[] { 1 })).sum().item<float>();
            for (int t = 0; t < triggers.Count; t++)
            {
                using var tb = encoder.EncodeBatch(chunk.Select(e => TriggerSweep.Prefix(triggers[t], e.Text)).ToList());
                var outs = f.call(
                    new BertInput
                    {
                        InputIds = tb.InputIds,
                        AttentionMask = tb.AttentionMask,
                        TokenTypeIds = tb.TokenTypeIds,
                    }
                ); // [B, H]
                var dist = (outs.unsqueeze(1) - targets.unsqueeze(0)).pow(2).mean(new long[] { 2 }); // [B, T]
                triggered += dist[.., t].sum().item<float>();
                hits += (int)dist.argmin(1).eq(t).sum().item<long>();
            }
            n += chunk.Length;
        }
        return new RepresentationFit(triggered / (n * triggers.Count), clean / n, hits / (double)(n * triggers.Count), n);
    }
}
