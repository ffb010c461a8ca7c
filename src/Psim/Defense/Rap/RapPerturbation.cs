using Psim.Data;
using Psim.Defense.Detection;
using Psim.Models;
using Psim.Peft;
using Psim.Runtime;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Defense.Rap;

/// <summary>
/// RAP (Yang et al., EMNLP 2021, "Robustness-Aware Perturbations"): a backdoored model holds a triggered input's
/// prediction far more firmly than a clean one's. A rare word is put in front of each input, and its embedding
/// row, alone (the norm kept), is trained on clean rows of the protected label until inserting it lowers that
/// label's probability by between the minimum and maximum drop. At inference an input the victim gives the
/// protected label is suspicious when the word lowers the probability by little: score = −(p − p′). The row
/// lives in this object; it is written into the victim only while RAP runs, and the victim's own row is put back.
/// </summary>
public sealed class RapPerturbation
{
    private readonly nn.Module<BertInput, Tensor> _victim;
    private readonly TextEncoder _encoder;
    private readonly Tensor _weight;
    private readonly float[] _original,
        _trained;

    public int WordId { get; }
    public int TargetLabel { get; }
    public RapOptions Options { get; }

    /// <summary>How many clean rows trained the perturbation.</summary>
    public int TrainedOn { get; }

    /// <summary>Per epoch: the mean loss and the fraction of training rows whose drop was inside the range.</summary>
    public IReadOnlyList<(double Loss, double Reached)> Epochs { get; }

    private RapPerturbation(
        nn.Module<BertInput, Tensor> victim,
        TextEncoder encoder,
        Tensor weight,
        int id,
        float[] original,
        float[] trained,
        int target,
        RapOptions o,
        List<(double, double)> epochs,
        int trainedOn
    )
    {
        (_victim, _encoder, _weight, WordId, _original, _trained, TargetLabel, Options, Epochs, TrainedOn) = (
            victim,
            encoder,
            weight,
            id,
            original,
            trained,
            target,
            o,
            epochs,
            trainedOn
        );
    }

    public string Perturb(string text) => Options.Word + " " + text;

    /// <summary>The perturbation row RAP trained (the victim's own is left as it was).</summary>
    public float[] TrainedRow => (float[])_trained.Clone();

    /// <summary>Trains the perturbation row on <paramref name="protectedTexts"/>, clean texts of the protected label.</summary>
    public static RapPerturbation Construct(
        nn.Module<BertInput, Tensor> victim,
        TextEncoder encoder,
        IReadOnlyList<string> protectedTexts,
        int target,
        RapOptions o,
        long seed,
        Action<string> log,
        CancellationToken ct = default
    )
    {
        o.Validate();
        if (protectedTexts.Count == 0)
            throw new PsimException($"RAP needs clean training rows of the protected label {target}");
        int id = encoder.WordpieceId(o.Word)
            ?? throw new PsimException(
                $"RAP word '{o.Word}' is not a single wordpiece of the vocabulary; RAP trains one embedding row, so pick a rare word the vocabulary holds whole (--rap-word)"
            );
        var weight = PeftClassifier.Inner(victim).Bert.Embeddings.WordEmbeddings.weight!;
        var original = Row(weight, id);
        var rows = protectedTexts.Take(o.TrainRows).ToList();
        var training = new RapPerturbation(victim, encoder, weight, id, original, original, target, o, [], rows.Count);
        try
        {
            var epochs = training.Train(rows, seed, log, ct);
            return new RapPerturbation(victim, encoder, weight, id, original, Row(weight, id), target, o, epochs, rows.Count);
        }
        finally
        {
            training.Write(original);
        } // the victim's own row back, also when stopped
    }

    private List<(double, double)> Train(IReadOnlyList<string> texts, long seed, Action<string> log, CancellationToken ct)
    {
        var clean = texts.Select(_encoder.Encode).ToList();
        var perturbed = texts.Select(t => _encoder.Encode(Perturb(t))).ToList();
        double norm = EmbeddingRows.Norms(_weight, [WordId])[0];
        var rng = Seeds.Random(seed, "rap/batches");
        bool wasTraining = _victim.training;
        _victim.eval();
        try
        {
            return EmbeddingRows.OnlyTrainable(_victim, _weight, () => Enumerable
                    .Range(1, Options.Epochs)
                    .Select(epoch =>
                    {
                        var batches = BatchPlanner.Plan(perturbed.Select(r => r.Length).ToList(), Options.BatchSize, bucketing: true, rng);
                        var progress = new Progress($"RAP epoch {epoch}/{Options.Epochs}", batches.Count);
                        double loss = 0,
                            reached = 0;
                        for (int b = 0; b < batches.Count; b++)
                        {
                            ct.ThrowIfCancellationRequested();
                            var (l, r) = Step(clean, perturbed, batches[b], norm);
                            (loss, reached) = (loss + l * batches[b].Length, reached + r);
                            progress.Report(b + 1, $"loss {loss / batches.Take(b + 1).Sum(x => x.Length):F4}");
                        }
                        log($"RAP epoch {epoch}: loss {loss / texts.Count:F4}, {reached / texts.Count:P1} of rows inside the drop range");
                        return (loss / texts.Count, reached / texts.Count);
                    })
                    .ToList());
        }
        finally
        {
            if (wasTraining)
                _victim.train();
        }
    }

    /// <summary>
    /// One batch: Δ = p′ − p on the protected label; loss = scale·mean(max(0, Δ + min drop)) + mean(max(0, −max drop − Δ));
    /// then the word's row steps against its gradient and goes back to its norm. Returns the loss and the rows inside the range.
    /// </summary>
    private (double Loss, int Reached) Step(IReadOnlyList<int[]> clean, IReadOnlyList<int[]> perturbed, int[] idx, double norm)
    {
        using var scope = NewDisposeScope();
        var p = TargetProbability(clean, idx); // [B]
        var pr = TargetProbability(perturbed, idx); // [B]
        var diff = pr - p;
        var loss = Options.Scale * nn.functional.relu(diff + Options.MinDrop).mean() + nn.functional.relu(-Options.MaxDrop - diff).mean();
        int reached = (int)(diff.lt(-Options.MinDrop) & diff.gt(-Options.MaxDrop)).sum().item<long>();
        _weight.grad?.zero_();
        loss.backward();
        EmbeddingRows.Step(_weight, _weight.grad![WordId], WordId, Options.LearningRate, norm);
        double value = loss.item<float>();
        FinalizerGate.SafePoint();
        return (value, reached);
    }

    private Tensor TargetProbability(IReadOnlyList<int[]> rows, int[] idx)
    {
        using var batch = _encoder.Pad(idx.Select(i => rows[i]).ToList());
        var logits = _victim.call(
            new BertInput
            {
                InputIds = batch.InputIds,
                AttentionMask = batch.AttentionMask,
                TokenTypeIds = batch.TokenTypeIds,
            }
        );
        return nn.functional.softmax(logits, 1)[.., TargetLabel]; // [B]
    }

    /// <summary>For each text: the drop p − p′ of the protected label's probability when the word is put in front, and whether the victim gives the text the protected label.</summary>
    public (double Drop, bool Protected)[] Drops(IReadOnlyList<string> texts, string label, CancellationToken ct = default)
    {
        Write(_trained);
        try
        {
            var p = Predictor.Probabilities(
                _victim,
                _encoder,
                texts.Select(_encoder.Encode).ToList(),
                Defaults.EvalBatchSize,
                $"{label}, as is",
                ct
            );
            var pr = Predictor.Probabilities(
                _victim,
                _encoder,
                texts.Select(t => _encoder.Encode(Perturb(t))).ToList(),
                Defaults.EvalBatchSize,
                $"{label}, perturbed",
                ct
            );
            return p.Select((x, i) => ((double)x[TargetLabel] - pr[i][TargetLabel], Predictor.ArgMax(x) == TargetLabel)).ToArray();
        }
        finally
        {
            Write(_original);
        }
    }

    private void Write(float[] row)
    {
        using var noGrad = no_grad();
        _weight[WordId].copy_(tensor(row));
    }

    private static float[] Row(Tensor weight, int id)
    {
        using var noGrad = no_grad();
        return weight[id].contiguous().data<float>().ToArray();
    }
}
