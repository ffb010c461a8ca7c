using System.Diagnostics;
using System.Text.Json.Nodes;
using Psim.Data;
using Psim.Evaluation;
using Psim.Files;
using Psim.IO;
using Psim.Models;
using Psim.Peft;
using Psim.Runtime;
using Psim.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Psim.Bench;

/// <summary>
/// psim's side of the psim-vs-PyTorch benchmark (<c>../shared/bench/torch_bert.py</c> is the other):
/// the same workloads on the same token ids, printed as the same JSON lines. <see cref="WriteIds"/>
/// writes the ids file both sides read; <see cref="Run"/> runs psim's own training step
/// (<see cref="TrainStep"/>) and inference path (<see cref="Predictor"/>) on it.
/// </summary>
internal static class SideBySide
{
    private const int BatchSize = 32,
        MaxLength = 128;

    /// <summary>SST-2 train batches (length-bucketed, as psim trains), SST-2 test rows, and psim's last hidden state for a check.</summary>
    public static void WriteIds(string dataDir, string outPath, int batches = 23, int checkRows = 8)
    {
        var ckpt = ModelResolver.Open("minilm", Console.Error.WriteLine);
        var enc = ckpt.CreateTextEncoder(MaxLength);
        var train = EncodedSet.From(enc, DatasetReader.Read(Path.Combine(dataDir, "sst-2", "train.jsonl")));
        var test = DatasetReader.Read(Path.Combine(dataDir, "sst-2", "test.jsonl")).Select(e => enc.Encode(e.Text)).ToList();
        var plan = BatchPlanner.Plan(train.Lengths, BatchSize, bucketing: true, new Random(1)).Take(batches);
        var json = new JsonObject
        {
            ["train_batches"] = new JsonArray(
                plan.Select(idx =>
                        (JsonNode)
                            new JsonObject
                            {
                                ["ids"] = Rows(idx.Select(i => train.Ids[i])),
                                ["labels"] = new JsonArray(idx.Select(i => (JsonNode)train.Labels[i]).ToArray()),
                            }
                    )
                    .ToArray()
            ),
            ["test"] = Rows(test),
            ["check"] = Check(ckpt, enc, test.Take(checkRows).ToList()),
        };
        AtomicFile.WriteAllText(outPath, json.ToJsonString());
        Console.Error.WriteLine($"wrote {outPath}: {batches} train batches, {test.Count} test rows, check on {checkRows} rows");
    }

    private static JsonArray Rows(IEnumerable<int[]> rows) =>
        new(rows.Select(r => (JsonNode)new JsonArray(r.Select(t => (JsonNode)t).ToArray())).ToArray());

    private static JsonObject Check(HfCheckpoint ckpt, TextEncoder enc, List<int[]> rows)
    {
        using var bert = ckpt.LoadEncoder(out _);
        bert.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = enc.Pad(rows);
        var h = bert.call(
            new BertInput
            {
                InputIds = batch.InputIds,
                AttentionMask = batch.AttentionMask,
                TokenTypeIds = batch.TokenTypeIds,
            }
        ).LastHiddenState;
        return new JsonObject
        {
            ["rows"] = rows.Count,
            ["shape"] = new JsonArray(h.shape.Select(d => (JsonNode)d).ToArray()),
            ["last_hidden_state"] = new JsonArray(h.contiguous().data<float>().ToArray().Select(v => (JsonNode)v).ToArray()),
        };
    }

    public sealed record Options(
        string Ids,
        string? Out,
        string Tag,
        string Workloads,
        string Model = "minilm",
        int Warmup = 3,
        int Steps = 20,
        int FixedWarmup = 1,
        int FixedSteps = 3
    );

    public static void Run(Options o)
    {
        var ids = JsonNode.Parse(File.ReadAllText(o.Ids)) ?? throw new InvalidDataException($"{o.Ids}: empty");
        var batches = ids["train_batches"]!
            .AsArray()
            .Select(b => (Ids: ToRows(b!["ids"]!), Labels: b!["labels"]!.AsArray().Select(l => (long)l!).ToArray()))
            .ToList();
        var test = ToRows(ids["test"]!);
        var ckpt = ModelResolver.Open(o.Model, Console.Error.WriteLine);
        var meta = new JsonObject
        {
            ["framework"] = "psim",
            ["tag"] = o.Tag,
            ["threads"] = get_num_threads(),
            ["versions"] =
                $"psim {PsimVersion.Psim}, TorchSharp {PsimVersion.TorchSharp}, LibTorch {PsimVersion.LibTorch}, .NET {PsimVersion.Dotnet}",
            ["cpu"] = CpuBlas.Cpu,
            ["blas"] = CpuBlas.Status,
            ["heap"] = NativeHeap.Status,
        };
        int matmuls = 0;
        foreach (var w in o.Workloads.Split(','))
        {
            ProcessStats.ResetPeakRss();
            var before = ProcessStats.Now();
            var (kind, arg) = (w.Split(':')[0], w.Contains(':') ? w.Split(':')[1] : "");
            JsonObject r = kind switch
            {
                "matmul" => Matmul(matmuls++ == 0 ? "matmul_before" : "matmul_after"),
                "infer_sorted" => InferSorted(ckpt, test),
                "infer_file" => InferFile(ckpt, test),
                "train_full" or "train_lora" => Train(ckpt, batches, kind[6..], o.Warmup, o.Steps),
                "fixed_full" or "fixed_lora" => TrainFixed(ckpt, kind[6..], int.Parse(arg), o.FixedWarmup, o.FixedSteps),
                _ => throw new ArgumentException($"unknown workload {w}"),
            };
            var used = ProcessStats.Now() - before;
            r["minor_faults"] = used.MinorFaults;
            r["kernel_share"] = Math.Round(used.KernelShare, 4);
            r["hwm_mib"] = ProcessStats.StatusMiB("VmHWM:");
            r["rss_mib_after"] = ProcessStats.StatusMiB("VmRSS:");
            foreach (var (k, v) in meta)
                r[k] = v?.DeepClone();
            var line = r.ToJsonString();
            if (o.Out is not null)
                File.AppendAllText(o.Out, line + "\n");
            Console.WriteLine(line);
            GC.Collect();
        }
    }

    private static List<int[]> ToRows(JsonNode rows) => rows.AsArray().Select(r => r!.AsArray().Select(t => (int)t!).ToArray()).ToList();

    private static JsonObject Matmul(string name) => new() { ["workload"] = name, ["gflops"] = MatmulPeak.Measure() };

    private static JsonObject Result(
        string workload,
        int samples,
        double secs,
        double flops,
        long padded,
        long real,
        double[]? phases = null
    )
    {
        var r = new JsonObject
        {
            ["workload"] = workload,
            ["samples"] = samples,
            ["seconds"] = secs,
            ["per_s"] = samples / secs,
            ["gflop"] = flops / 1e9,
            ["gflops"] = flops / secs / 1e9,
            ["padded_tokens"] = padded,
            ["real_tokens"] = real,
        };
        if (phases is not null)
            r["phases_s_per_step"] = new JsonObject
            {
                ["forward"] = phases[0],
                ["backward"] = phases[1],
                ["optimizer"] = phases[2],
                ["other"] = phases[3],
            };
        return r;
    }

    private static BertForSequenceClassification Classifier(HfCheckpoint ckpt)
    {
        manual_seed(42);
        return ckpt.LoadClassifier(out _, numLabels: 2);
    }

    /// <summary>psim's inference path: length-sorted batches of 32 through <see cref="Predictor"/>, after one warm-up batch.</summary>
    private static JsonObject InferSorted(HfCheckpoint ckpt, List<int[]> test)
    {
        using var model = Classifier(ckpt);
        var enc = ckpt.CreateTextEncoder(MaxLength);
        var sorted = test.OrderBy(r => r.Length).ToList();
        Predictor.Probabilities(model, enc, sorted.Take(BatchSize).ToList(), BatchSize);
        var sw = Stopwatch.StartNew();
        Predictor.Probabilities(model, enc, test, BatchSize);
        double secs = sw.Elapsed.TotalSeconds;
        var (flops, padded) = Work(ckpt.Config, Chunks(sorted));
        return Result("infer_sorted", test.Count, secs, flops, padded, test.Sum(r => r.Length));
    }

    /// <summary>Batches of 32 in file order (padding to each batch's longest row), the same forward and softmax.</summary>
    private static JsonObject InferFile(HfCheckpoint ckpt, List<int[]> test)
    {
        using var model = Classifier(ckpt);
        var enc = ckpt.CreateTextEncoder(MaxLength);
        model.eval();
        using var noGrad = no_grad();
        var chunks = Chunks(test);
        Stopwatch? sw = null;
        for (int i = -1; i < chunks.Count; i++) // -1: one warm-up batch
        {
            if (i == 0)
                sw = Stopwatch.StartNew();
            using (NewDisposeScope())
            {
                using var batch = enc.Pad(chunks[Math.Max(0, i)]);
                var logits = model.call(
                    new BertInput
                    {
                        InputIds = batch.InputIds,
                        AttentionMask = batch.AttentionMask,
                        TokenTypeIds = batch.TokenTypeIds,
                    }
                );
                _ = nn.functional.softmax(logits, 1).contiguous().data<float>().ToArray();
            }
            FinalizerGate.SafePoint(); // as Predictor does after each batch
        }
        double secs = sw!.Elapsed.TotalSeconds;
        var (flops, padded) = Work(ckpt.Config, chunks);
        return Result("infer_file", test.Count, secs, flops, padded, test.Sum(r => r.Length));
    }

    /// <summary>Page faults and kernel share of the timed steps alone (warm-up excluded).</summary>
    private static void Timed(JsonObject r, ProcessStats used)
    {
        r["timed_minor_faults"] = used.MinorFaults;
        r["timed_kernel_share"] = Math.Round(used.KernelShare, 4);
    }

    private static List<List<int[]>> Chunks(List<int[]> rows) => rows.Chunk(BatchSize).Select(c => c.ToList()).ToList();

    private static (double Flops, long Padded) Work(BertConfig c, IEnumerable<List<int[]>> batches) =>
        batches.Aggregate((0.0, 0L), (acc, b) =>
        {
            int s = b.Max(r => r.Length);
            return (acc.Item1 + ForwardBench.Flops(c, b.Count, s), acc.Item2 + (long)b.Count * s);
        });

    /// <summary>MiniLM with a fresh 2-class head, fully trainable or with a default PEFT method attached, in training mode, and its step.</summary>
    internal static (nn.Module<BertInput, Tensor> Model, TrainStep Step, long Trainable, IDisposable Owner) Trainable(
        HfCheckpoint ckpt,
        string method,
        double learningRate = 2e-5
    )
    {
        var classifier = Classifier(ckpt);
        var m = Vocabulary<TuningMethod>.Parse(method, "method");
        PeftClassifier? peft = !m.IsPeft() ? null : PeftFactory.Attach(classifier, PeftFactory.DefaultConfig(m, classifier.Config));
        nn.Module<BertInput, Tensor> model = (nn.Module<BertInput, Tensor>?)peft ?? classifier;
        var trainable = peft?.TrainableParameters() ?? classifier.parameters().ToList();
        model.train();
        return (
            model,
            new TrainStep(model, trainable, learningRate, weightDecay: 0.01, maxGradNorm: null),
            trainable.Sum(p => p.numel()),
            classifier
        );
    }

    /// <summary>One timed training step split into forward, backward, optimizer and other (the loss read, the collector).</summary>
    private static double[] TimedStep(TrainStep step, EncodedBatch batch, Tensor labels, int i)
    {
        var t = Stopwatch.StartNew();
        var loss = step.Forward(batch, labels);
        double f = t.Elapsed.TotalSeconds;
        step.Backward(loss);
        double b = t.Elapsed.TotalSeconds;
        step.Update(2e-5);
        double u = t.Elapsed.TotalSeconds;
        _ = loss.item<float>();
        double e = t.Elapsed.TotalSeconds;
        return [f, b - f, u - b, e - u];
    }

    private static JsonObject Train(HfCheckpoint ckpt, List<(List<int[]> Ids, long[] Labels)> batches, string method, int warmup, int steps)
    {
        var (model, step, trainableCount, owner) = Trainable(ckpt, method);
        using var _ = owner;
        using var __ = step;
        var enc = ckpt.CreateTextEncoder(MaxLength);
        var phases = new double[4];
        var stepTimes = new List<double>();
        var rss = new List<double>();
        var timedFrom = ProcessStats.Now();
        int samples = 0;
        long padded = 0,
            real = 0;
        double flops = 0;
        for (int i = 0; i < warmup + steps; i++)
        {
            var (rows, labels) = batches[i % batches.Count];
            var t = Stopwatch.StartNew();
            double[] p;
            long s;
            using (var scope = NewDisposeScope())
            {
                using var batch = enc.Pad(rows);
                s = batch.InputIds.shape[1];
                p = TimedStep(step, batch, tensor(labels), i);
            }
            double total = t.Elapsed.TotalSeconds;
            rss.Add(Math.Round(ProcessStats.StatusMiB("VmRSS:")));
            if (i == warmup - 1)
                timedFrom = ProcessStats.Now();
            if (i < warmup)
                continue;
            p[3] += total - p.Sum();
            for (int j = 0; j < 4; j++)
                phases[j] += p[j];
            stepTimes.Add(total);
            samples += rows.Count;
            padded += rows.Count * s;
            real += rows.Sum(r => r.Length);
            flops += (method == "full" ? 3 : 2) * ForwardBench.Flops(ckpt.Config, rows.Count, s);
        }
        var r = Result("train_" + method, samples, stepTimes.Sum(), flops, padded, real, phases.Select(x => x / steps).ToArray());
        Timed(r, ProcessStats.Now() - timedFrom);
        r["steps"] = steps;
        r["s_per_step"] = stepTimes.Sum() / steps;
        r["trainable_params"] = trainableCount;
        r["rss_mib_per_step"] = new JsonArray(rss.Select(x => (JsonNode)x).ToArray());
        r["step_times"] = new JsonArray(stepTimes.Select(x => (JsonNode)Math.Round(x, 4)).ToArray());
        return r;
    }

    /// <summary>Training steps on one fixed [32, L] batch of random ids without padding: the cost of length alone.</summary>
    private static JsonObject TrainFixed(HfCheckpoint ckpt, string method, int length, int warmup, int steps)
    {
        var (model, step, _, owner) = Trainable(ckpt, method);
        using var o1 = owner;
        using var o2 = step;
        manual_seed(7);
        using var ids = randint(1000, 30000, [BatchSize, length], ScalarType.Int64);
        using var batch = new EncodedBatch(
            ids.alias(),
            ones(BatchSize, length, ScalarType.Int64),
            zeros(BatchSize, length, ScalarType.Int64)
        );
        using var labels = randint(0, 2, [BatchSize], ScalarType.Int64);
        var phases = new double[4];
        var stepTimes = new List<double>();
        var stepFaults = new List<long>();
        var timedFrom = ProcessStats.Now();
        for (int i = 0; i < warmup + steps; i++)
        {
            using var scope = NewDisposeScope();
            var before = ProcessStats.Now();
            var p = TimedStep(step, batch, labels, i);
            if (i == warmup - 1)
                timedFrom = ProcessStats.Now();
            if (i < warmup)
                continue;
            for (int j = 0; j < 4; j++)
                phases[j] += p[j];
            stepTimes.Add(p.Sum());
            stepFaults.Add((ProcessStats.Now() - before).MinorFaults);
        }
        double flops = steps * (method == "full" ? 3 : 2) * ForwardBench.Flops(ckpt.Config, BatchSize, length);
        var r = Result(
            $"fixed_{method}:{length}",
            BatchSize * steps,
            stepTimes.Sum(),
            flops,
            (long)BatchSize * length * steps,
            (long)BatchSize * length * steps,
            phases.Select(x => x / steps).ToArray()
        );
        Timed(r, ProcessStats.Now() - timedFrom);
        r["steps"] = steps;
        r["s_per_step"] = stepTimes.Sum() / steps;
        r["step_times"] = new JsonArray(stepTimes.Select(x => (JsonNode)x).ToArray());
        r["step_minor_faults"] = new JsonArray(stepFaults.Select(x => (JsonNode)x).ToArray());
        return r;
    }
}
