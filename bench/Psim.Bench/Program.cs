using System.Text;
using Psim.Bench;
using Psim.Data;
using Psim.IO;
using Psim.Runtime;
using static TorchSharp.torch;

// Usage: dotnet run -c Release --project bench/Psim.Bench -- forward [--data ../shared/datasets] [--threads N] [--out docs/bench-forward.md]
var opts = args.Skip(1).Select((a, i) => (a, i)).Where(t => t.a.StartsWith("--")).ToDictionary(t => t.a, t => args.Skip(1).ElementAtOrDefault(t.i + 1) ?? "");
string data = opts.GetValueOrDefault("--data", "../shared/datasets");
int threads = int.Parse(opts.GetValueOrDefault("--threads", Environment.ProcessorCount.ToString()));
string? outFile = opts.GetValueOrDefault("--out");
set_num_threads(threads);

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
            sb.AppendLine($"MiniLM (all-MiniLM-L6-v2) forward, SST-2 test ({texts.Count} sentences), batch 32, max length 128, {threads} threads, no grad.");
            sb.AppendLine($"Machine: {Environment.ProcessorCount} cores; psim {PsimVersion.Psim}, TorchSharp {PsimVersion.TorchSharp}, LibTorch {PsimVersion.LibTorch}, .NET {PsimVersion.Dotnet}.");
            sb.AppendLine();
            sb.AppendLine($"float32 matmul 2048x2048 in the same run: {peak:F1} GFLOP/s before, {peakAfter:F1} GFLOP/s after.");
            sb.AppendLine();
            sb.AppendLine("| batch order | sentences/s | seconds | achieved GFLOP/s | ratio to matmul | padded tokens | real tokens |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            double refPeak = Math.Max(peak, peakAfter);
            foreach (var r in results)
                sb.AppendLine($"| {r.Order} | {r.SentencesPerSecond:F1} | {r.Seconds:F2} | {r.GFlops:F1} | {r.GFlops / refPeak:P0} | {r.PaddedTokens:N0} | {r.RealTokens:N0} |");
            Console.Write(sb.ToString());
            if (!string.IsNullOrEmpty(outFile)) File.WriteAllText(outFile, sb.ToString());
            return 0;
        }
    default:
        Console.Error.WriteLine("usage: Psim.Bench forward [--data DIR] [--threads N] [--out FILE]");
        return 2;
}
