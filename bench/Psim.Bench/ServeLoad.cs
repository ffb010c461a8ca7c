using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Psim.Serving;
using Psim.Workflows;

namespace Psim.Bench;

/// <summary>
/// Load on <c>psim serve</c>'s server (the same <see cref="GuardServer"/>, in this process, on loopback): requests of one
/// text each at concurrency 1, 8 and 32, each level bounded in requests and seconds; throughput and p50/p99 latency,
/// against offline batched scoring of the same texts in the same run: PSIM alone (what <c>psim scan</c> runs) and PSIM
/// then the victim (what <c>psim predict</c> runs, the same work a served request does). The client shares the
/// process and the cores with the server, so its own cost counts against the server.
/// </summary>
public static class ServeLoad
{
    public sealed record Level(
        int Concurrency,
        int Requests,
        double Seconds,
        double TextsPerSecond,
        double P50Ms,
        double P99Ms,
        double MeanBatch
    );

    public static string Run(
        GuardedPredictionRequest request,
        IReadOnlyList<string> texts,
        int maxRequests,
        double maxSeconds,
        int[] levels
    )
    {
        var guard = LoadedGuard.Load(request, Console.Error.WriteLine);
        using var detector = request.Detector.Load(
            request.Victim,
            Psim.IO.ModelResolver.Open(request.Victim.Model),
            Console.Error.WriteLine
        );
        guard.Classify(texts.Take(64).ToList());
        detector.Score(texts.Take(64).ToList());
        var sw = Stopwatch.StartNew();
        detector.Score(texts, batchSize: 64);
        double scanRate = texts.Count / sw.Elapsed.TotalSeconds;
        sw.Restart();
        guard.Classify(texts);
        double offlineRate = texts.Count / sw.Elapsed.TotalSeconds;
        sw.Restart();
        foreach (var chunk in texts.Chunk(levels.Max()))
            guard.Classify(chunk);
        double chunkRate = texts.Count / sw.Elapsed.TotalSeconds;
        Console.Error.WriteLine(
            $"offline: PSIM alone {scanRate:F1} texts/s, PSIM + victim {offlineRate:F1} texts/s, PSIM + victim in unsorted batches of {levels.Max()} {chunkRate:F1} texts/s"
        );

        var server = GuardServer.StartAsync(() => guard, new ServeOptions { Port = 0 }).GetAwaiter().GetResult();
        var results = new List<Level>();
        try
        {
            server.Loading.GetAwaiter().GetResult();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = levels.Max() })
            {
                BaseAddress = server.Address,
            };
            Drive(http, server, texts, 1, 20, 30); // warm-up
            foreach (int c in levels)
            {
                var level = Drive(http, server, texts, c, maxRequests, maxSeconds);
                Console.Error.WriteLine(
                    $"concurrency {c}: {level.TextsPerSecond:F1} texts/s, p50 {level.P50Ms:F1} ms, p99 {level.P99Ms:F1} ms, mean batch {level.MeanBatch:F1}"
                );
                results.Add(level);
            }
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        var sb = new StringBuilder();
        sb.AppendLine(
            $"Offline, same texts, same run: PSIM alone (`psim scan`'s path) {scanRate:F1} texts/s; PSIM then the victim (`psim predict`'s path) {offlineRate:F1} texts/s; the same in batches of {levels.Max()} texts as they come (unsorted, as a server receives them; each batch cut by length as the server cuts it) {chunkRate:F1} texts/s."
        );
        sb.AppendLine();
        sb.AppendLine(
            "| concurrency | requests (1 text each) | seconds | texts/s | p50 latency (ms) | p99 latency (ms) | mean batch | ratio to `psim scan` | ratio to `psim predict` | ratio to unsorted batches |"
        );
        sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var l in results)
            sb.AppendLine(
                $"| {l.Concurrency} | {l.Requests} | {l.Seconds:F1} | {l.TextsPerSecond:F1} | {l.P50Ms:F1} | {l.P99Ms:F1} | {l.MeanBatch:F1} | {l.TextsPerSecond / scanRate:F2} | {l.TextsPerSecond / offlineRate:F2} | {l.TextsPerSecond / chunkRate:F2} |"
            );
        return sb.ToString();
    }

    private static Level Drive(
        HttpClient http,
        GuardServer server,
        IReadOnlyList<string> texts,
        int concurrency,
        int maxRequests,
        double maxSeconds
    )
    {
        double batchSum = server.Metrics.BatchSize.Sum,
            batchCount = server.Metrics.BatchSize.Count;
        var latencies = new List<double>[concurrency];
        int next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable
            .Range(0, concurrency)
            .Select(w =>
                Task.Run(async () =>
                {
                    var mine = latencies[w] = [];
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < maxRequests && clock.Elapsed.TotalSeconds < maxSeconds)
                    {
                        var body = new StringContent(
                            JsonSerializer.Serialize(new { texts = new[] { texts[i % texts.Count] } }),
                            Encoding.UTF8,
                            new MediaTypeHeaderValue("application/json")
                        );
                        var t0 = clock.Elapsed.TotalMilliseconds;
                        using var r = await http.PostAsync("/v1/classify", body).ConfigureAwait(false);
                        r.EnsureSuccessStatusCode();
                        await r.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                        mine.Add(clock.Elapsed.TotalMilliseconds - t0);
                    }
                })
            )
            .ToArray();
        Task.WaitAll(workers);
        double seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        double batches = server.Metrics.BatchSize.Count - batchCount;
        return new Level(
            concurrency,
            all.Count,
            seconds,
            all.Count / seconds,
            Percentile(all, 0.5),
            Percentile(all, 0.99),
            batches == 0 ? 0 : (server.Metrics.BatchSize.Sum - batchSum) / batches
        );
    }

    private static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
