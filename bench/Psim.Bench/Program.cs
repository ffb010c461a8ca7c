using System.Text;
using Psim.Bench;
using Psim.Data;
using Psim.IO;
using Psim.Runtime;
using static TorchSharp.torch;

// Usage: dotnet run -c Release --project bench/Psim.Bench -- forward [--data ../shared/datasets] [--threads N] [--out docs/bench-forward.md]
//        ... -- ids --out IDS.json [--data DIR]                 (token ids for the side-by-side run, read by both sides)
//        ... -- side --ids IDS.json [--out RESULTS.jsonl] [--tag NAME] [--workloads matmul,infer_sorted,...] [--model minilm|DIR] [--steps 20] [--fixed-warmup 1] [--fixed-steps 3]
var opts = args.Skip(1)
    .Select((a, i) => (a, i))
    .Where(t => t.a.StartsWith("--"))
    .ToDictionary(t => t.a, t => args.Skip(1).ElementAtOrDefault(t.i + 1) ?? "");
string data = opts.GetValueOrDefault("--data", "../shared/datasets");
int threads = int.Parse(opts.GetValueOrDefault("--threads", Environment.ProcessorCount.ToString()));
string? outFile = opts.GetValueOrDefault("--out");
ProcessSetup.Configure(); // before LibTorch loads (set_num_threads loads it)
set_num_threads(threads);
Console.Error.WriteLine($"CPU: {ProcessSetup.Describe()}");

switch (args.FirstOrDefault())
{
    case "forward":
    {
        var texts = DatasetReader.Read(Path.Combine(data, "sst-2", "test.jsonl")).Select(e => e.Text).ToList();
        var ckpt = ModelResolver.Open("minilm", Console.Error.WriteLine);
        double peak = MatmulPeak.Measure();
        var results = new[] { false, true }.Select(sorted => ForwardBench.Run(ckpt, texts, 32, sorted, 128)).ToList();
        double peakAfter = MatmulPeak.Measure();
        var sb = new StringBuilder();
        sb.AppendLine(
            $"MiniLM (all-MiniLM-L6-v2) forward, SST-2 test ({texts.Count} sentences), batch 32, max length 128, {threads} threads, no grad."
        );
        sb.AppendLine(
            $"Machine: {Environment.ProcessorCount} cores; psim {PsimVersion.Psim}, TorchSharp {PsimVersion.TorchSharp}, LibTorch {PsimVersion.LibTorch}, .NET {PsimVersion.Dotnet}."
        );
        sb.AppendLine();
        sb.AppendLine($"float32 matmul 2048x2048 in the same run: {peak:F1} GFLOP/s before, {peakAfter:F1} GFLOP/s after.");
        sb.AppendLine();
        sb.AppendLine("| batch order | sentences/s | seconds | achieved GFLOP/s | ratio to matmul | padded tokens | real tokens |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        double refPeak = Math.Max(peak, peakAfter);
        foreach (var r in results)
            sb.AppendLine(
                $"| {r.Order} | {r.SentencesPerSecond:F1} | {r.Seconds:F2} | {r.GFlops:F1} | {r.GFlops / refPeak:P0} | {r.PaddedTokens:N0} | {r.RealTokens:N0} |"
            );
        Console.Write(sb.ToString());
        if (!string.IsNullOrEmpty(outFile))
            File.WriteAllText(outFile, sb.ToString());
        return 0;
    }
    case "train":
    {
        var rows = DatasetReader.Read(Path.Combine(data, "sst-2", "train.jsonl"));
        var ckpt = ModelResolver.Open("minilm", Console.Error.WriteLine);
        int steps = int.Parse(opts.GetValueOrDefault("--steps", "40"));
        var methods = (opts.GetValueOrDefault("--methods") ?? "full,lora,prompt,ptuning,prefix,adapter").Split(',');
        double peak = MatmulPeak.Measure();
        var results = methods
            .Select(m =>
            {
                var r = TrainBench.Run(ckpt, rows, m, steps);
                Console.Error.WriteLine($"{m}: {r.SamplesPerSecond:F1} samples/s");
                return r;
            })
            .ToList();
        double peakAfter = MatmulPeak.Measure();
        var full = results.FirstOrDefault(r => r.Method == "full");
        var sb = new StringBuilder();
        sb.AppendLine(
            $"MiniLM training on SST-2 train sentences, batch 32, length-bucketed, max length 128, {steps} timed steps after 3 warm-up steps, {threads} threads."
        );
        sb.AppendLine(
            $"psim {PsimVersion.Psim}, TorchSharp {PsimVersion.TorchSharp}, LibTorch {PsimVersion.LibTorch}, .NET {PsimVersion.Dotnet}."
        );
        sb.AppendLine();
        sb.AppendLine($"float32 matmul 2048x2048 in the same run: {peak:F1} GFLOP/s before, {peakAfter:F1} GFLOP/s after.");
        sb.AppendLine();
        sb.AppendLine(
            "| method | trainable parameters | samples/s | s/step | speed-up vs full | peak RSS (MiB) | achieved GFLOP/s | ratio to matmul (best) |"
        );
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            sb.AppendLine(
                $"| {r.Method} | {r.TrainableParameters:N0} | {r.SamplesPerSecond:F1} | {r.SecondsPerStep:F3} | "
                    + $"{(full is null ? "" : $"{r.SamplesPerSecond / full.SamplesPerSecond:F2}x")} | {r.PeakRssMiB:F0} | "
                    + $"{(r.GFlops is double g ? g.ToString("F1") : "")} | {(r.GFlops is double g2 ? (g2 / Math.Max(peak, peakAfter)).ToString("P0") : "")} |"
            );
        Console.Write(sb.ToString());
        if (!string.IsNullOrEmpty(outFile))
            File.WriteAllText(outFile, sb.ToString());
        return 0;
    }
    case "matmul":
    {
        foreach (var t in new[] { ScalarType.Float32, ScalarType.BFloat16 }) // float16 matmul on a CPU is not a path psim uses
            Console.WriteLine($"{t}: {MatmulPeak.Measure(dtype: t):F1} GFLOP/s");
        return 0;
    }
    case "scan":
    {
        // PSIM scoring throughput: batched and length-sorted (as psim scan does) vs one sentence at a time (as the reference scores)
        var detDir = opts.GetValueOrDefault("--detector") ?? throw new ArgumentException("--detector DIR is required");
        var texts = DatasetReader.Read(Path.Combine(data, "sst-2", "test.jsonl")).Select(e => e.Text).ToList();
        int single = int.Parse(opts.GetValueOrDefault("--single", "300"));
        using var det = Psim.Defense.Psim.PsimDetector.Load(detDir, null, Console.Error.WriteLine);
        det.Score(texts.Take(64).ToList()); // warm-up
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var batched = det.Score(texts, batchSize: 64);
        double batchedRate = texts.Count / sw.Elapsed.TotalSeconds;
        sw.Restart();
        var one = texts.Take(single).Select(t => det.Score([t], batchSize: 1)[0]).ToList();
        double singleRate = one.Count / sw.Elapsed.TotalSeconds;
        double maxDiff = one.Select((c, i) => Math.Abs(c - batched[i])).Max();
        var sb = new StringBuilder();
        sb.AppendLine($"PSIM scoring (P-tuning detector on MiniLM), SST-2 test, {threads} threads, max length {det.Settings.MaxLength}.");
        sb.AppendLine();
        sb.AppendLine("| mode | sentences | samples/s |");
        sb.AppendLine("|---|---:|---:|");
        sb.AppendLine($"| batched (64, length-sorted), as `psim scan` | {texts.Count} | {batchedRate:F1} |");
        sb.AppendLine($"| one sentence at a time | {one.Count} | {singleRate:F1} |");
        sb.AppendLine();
        sb.AppendLine($"Speed-up: {batchedRate / singleRate:F1}x. Largest confidence difference between the two modes: {maxDiff:E1}.");
        Console.Write(sb.ToString());
        if (!string.IsNullOrEmpty(outFile))
            File.WriteAllText(outFile, sb.ToString());
        return 0;
    }
    case "serve":
    {
        // psim serve under load (bench/serve-load.sh): one-text requests at concurrency 1, 8, 32 vs offline batched scoring
        var request = new Psim.Workflows.GuardedPredictionRequest
        {
            Victim = new Psim.Workflows.VictimInput
            {
                Model = opts.GetValueOrDefault("--model") ?? throw new ArgumentException("--model DIR is required"),
                Adapter = opts.GetValueOrDefault("--adapter"),
            },
            Detector = new Psim.Workflows.DetectorInput
            {
                Folder = opts.GetValueOrDefault("--detector") ?? throw new ArgumentException("--detector DIR is required"),
            },
        };
        var texts = DatasetReader.Read(Path.Combine(data, "sst-2", "test.jsonl")).Select(e => e.Text).ToList();
        var levels = (opts.GetValueOrDefault("--concurrency") ?? "1,8,32").Split(',').Select(int.Parse).ToArray();
        var table = ServeLoad.Run(
            request,
            texts,
            int.Parse(opts.GetValueOrDefault("--requests", "1821")),
            double.Parse(opts.GetValueOrDefault("--seconds", "60")),
            levels
        );
        var text = $"psim serve under load: SST-2 test sentences, {threads} threads, CPU {ProcessSetup.Describe()}.\n\n{table}";
        Console.Write(text);
        if (!string.IsNullOrEmpty(outFile))
            File.WriteAllText(outFile, text);
        return 0;
    }
    case "attention":
        foreach (var l in (opts.GetValueOrDefault("--lengths") ?? "128,256").Split(','))
            AttentionBench.Run(int.Parse(l), outFile);
        return 0;
    case "probe-infer":
        foreach (var l in (opts.GetValueOrDefault("--lengths") ?? "8,16,32,64").Split(','))
            InferProbe.Run(32, int.Parse(l));
        return 0;
    case "ids":
        SideBySide.WriteIds(data, opts.GetValueOrDefault("--out") ?? throw new ArgumentException("--out IDS.json is required"));
        return 0;
    case "side":
        SideBySide.Run(
            new SideBySide.Options(
                Ids: opts.GetValueOrDefault("--ids") ?? throw new ArgumentException("--ids IDS.json is required"),
                Out: outFile,
                Tag: opts.GetValueOrDefault("--tag", "psim"),
                Workloads: opts.GetValueOrDefault(
                    "--workloads",
                    "matmul,infer_sorted,infer_file,train_lora,train_full,fixed_full:32,fixed_full:64,fixed_full:128,fixed_full:256,matmul"
                ),
                Model: opts.GetValueOrDefault("--model", "minilm"),
                Steps: int.Parse(opts.GetValueOrDefault("--steps", "20")),
                FixedWarmup: int.Parse(opts.GetValueOrDefault("--fixed-warmup", "1")),
                FixedSteps: int.Parse(opts.GetValueOrDefault("--fixed-steps", "3"))
            )
        );
        return 0;
    default:
        Console.Error.WriteLine(
            "usage: Psim.Bench <forward|train|matmul|scan|ids|side> [--data DIR] [--threads N] [--steps N] [--methods full,lora,...] [--out FILE]"
        );
        return 2;
}
