using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Psim.Serving;
using Psim.Workflows;

namespace Psim.Tests;

/// <summary><c>psim serve</c>: the real server on a free loopback port, called over HTTP.</summary>
public class ServeTests
{
    /// <summary>Label = word count parity, rejected when the text holds "mn"; can hold a batch at a gate; records each batch's size.</summary>
    private sealed class FakeGuard : IGuard
    {
        public readonly ConcurrentQueue<int> Batches = new();
        public readonly SemaphoreSlim Entered = new(0);
        public ManualResetEventSlim Gate { get; } = new(true);
        public bool Disposed { get; private set; }
        public double? ExpectedFlagRate { get; init; }

        public IReadOnlyList<GuardedPrediction> Classify(IReadOnlyList<string> texts, CancellationToken ct = default)
        {
            Batches.Enqueue(texts.Count);
            Entered.Release();
            Gate.Wait(TimeSpan.FromSeconds(30));
            return texts
                .Select(t =>
                    t.Contains("mn")
                        ? new GuardedPrediction(t, null, null, 0.99, true) { Threshold = 0.9 }
                        : new GuardedPrediction(t, t.Split(' ').Length % 2, [0.25f, 0.75f], 0.6, false) { Threshold = 0.9 }
                )
                .ToList();
        }

        public void Dispose() => Disposed = true;
    }

    private static async Task<(GuardServer Server, HttpClient Http)> Start(IGuard guard, ServeOptions? o = null)
    {
        var server = await GuardServer.StartAsync(() => guard, (o ?? new ServeOptions()) with { Port = 0 });
        await server.Loading;
        return (server, new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(60) });
    }

    private static HttpContent Body(string json, string contentType = "application/json") =>
        new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue(contentType));

    private static string Texts(params string[] texts) => JsonSerializer.Serialize(new { texts });

    private static async Task<JsonElement> Json(HttpResponseMessage r) =>
        JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task The_served_answers_equal_psim_predict_on_a_tiny_victim_and_detector()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var detDir = TestModels.TinyDetector(baseDir, dataDir, "--target-frr", "0.2");
        var request = new GuardedPredictionRequest
        {
            Victim = new VictimInput { Model = baseDir, MaxLength = 16 },
            Detector = new DetectorInput { Folder = detDir },
        };
        string[] texts = ["the movie is good", "a bad movie", "the the movie", "good good good bad", "is a movie"];
        var offline = GuardedPredictionWorkflow.Run(request, texts, _ => { });

        await using var server = await GuardServer.StartAsync(() => LoadedGuard.Load(request, _ => { }), new ServeOptions { Port = 0 });
        await server.Loading;
        using var http = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        var r = await http.PostAsync("/v1/classify", Body(Texts(texts)));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var results = (await Json(r)).GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(texts.Length, results.Count);
        foreach (var (served, expected) in results.Zip(offline))
        {
            Assert.Equal(expected.Rejected, served.GetProperty("rejected").GetBoolean());
            Assert.Equal(expected.DetectorConfidence, served.GetProperty("psim_confidence").GetDouble(), 6);
            Assert.Equal(expected.Threshold, served.GetProperty("threshold").GetDouble(), 9);
            if (expected.Rejected)
            {
                Assert.Equal(JsonValueKind.Null, served.GetProperty("label").ValueKind);
                continue;
            }
            Assert.Equal(expected.Label, served.GetProperty("label").GetInt32());
            Assert.Equal(
                expected.Probabilities!.Select(p => (double)p),
                served.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()),
                new Close(1e-6)
            );
        }
        Assert.True(offline.Count(p => p.Rejected) < texts.Length, "every text rejected: the comparison would not reach the victim");
    }

    /// <summary>`psim serve --guard-data --guard-reference`: the fused guard, fitted at load, rejects over HTTP every text that carries the token the audit names, and the flag rate it promises comes from its own calibration.</summary>
    [Fact]
    public async Task The_fused_guard_serves_over_http_and_rejects_the_token_the_audit_names()
    {
        var (reference, victim) = AuditTests.Checkpoints(plant: true);
        var (_, dataDir) = TestModels.TinyTask();
        var detDir = TestModels.TinyDetector(victim, dataDir);
        var request = new GuardedPredictionRequest
        {
            Victim = new VictimInput { Model = victim, MaxLength = 16 },
            Detector = new DetectorInput { Folder = detDir },
            Guard = new GuardInput
            {
                Task = new TaskInput { DataDir = dataDir },
                Reference = reference,
                TargetFrr = 0.05,
            },
        };
        string trigger = AuditTests.Trigger;
        string[] texts = ["the movie is good", $"the {trigger} movie is good", "a bad movie", $"a bad {trigger} movie", "is a movie"];
        var offline = GuardedPredictionWorkflow.Run(request, texts, _ => { });
        Assert.All(offline, p => Assert.NotNull(p.GuardScore));
        Assert.True(offline[1].Rejected && offline[3].Rejected, "the texts with the audited token are rejected");
        Assert.True(offline.Count(p => !p.Rejected) >= 2, "clean texts reach the victim");

        IGuard? loaded = null;
        await using var server = await GuardServer.StartAsync(
            () => loaded = LoadedGuard.Load(request, _ => { }),
            new ServeOptions { Port = 0 }
        );
        await server.Loading;
        using var http = new HttpClient { BaseAddress = server.Address };
        var r = await http.PostAsync("/v1/classify", Body(Texts(texts)));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var results = (await Json(r)).GetProperty("results").EnumerateArray().ToList();
        foreach (var (served, expected) in results.Zip(offline))
        {
            Assert.Equal(expected.Rejected, served.GetProperty("rejected").GetBoolean());
            Assert.Equal(expected.GuardScore!.Value, served.GetProperty("guard_score").GetDouble(), 6);
            Assert.Equal(expected.Threshold, served.GetProperty("threshold").GetDouble(), 9);
        }
        // the guard's calibrated rate: 1 of its 20 held-out rows at 5% (PSIM's own, calibrated at 1% on 40 rows, would be 1/40)
        Assert.Equal(0.05, loaded!.ExpectedFlagRate!.Value, 12);
    }

    private sealed class Close(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(double v) => 0;
    }

    public static TheoryData<string, string, string?, int, string> BadRequests =>
        new()
        {
            { "malformed JSON", "{\"texts\": [\"a\"", "application/json", 400, "malformed_json" },
            { "not UTF-8 JSON", "\u00ff\u00fe", "application/json", 400, "malformed_json" },
            { "an array body", "[\"a\"]", "application/json", 400, "invalid_request" },
            { "texts a string", "{\"texts\": \"a\"}", "application/json", 400, "invalid_request" },
            { "a number among texts", "{\"texts\": [\"a\", 3]}", "application/json", 400, "invalid_request" },
            { "no texts field", "{}", "application/json", 400, "invalid_request" },
            { "an unknown field", "{\"texts\": [\"a\"], \"threshold\": 0.1}", "application/json", 400, "unknown_field" },
            { "no texts", "{\"texts\": []}", "application/json", 400, "invalid_request" },
            { "an empty text", "{\"texts\": [\"a\", \" \"]}", "application/json", 400, "empty_text" },
            { "too many texts", Texts("a", "b", "c", "d", "e"), "application/json", 400, "too_many_texts" },
            { "a text over the limit", Texts(new string('x', 41)), "application/json", 400, "text_too_long" },
            { "a body over the limit", Texts(Enumerable.Repeat("word", 60).ToArray()), "application/json", 413, "body_too_large" },
            { "plain text", "a", "text/plain", 415, "unsupported_media_type" },
            { "no content type", Texts("a"), null, 415, "unsupported_media_type" },
        };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_gets_a_4xx_with_a_json_error_and_nothing_is_classified(
        string what,
        string body,
        string? contentType,
        int status,
        string errorCode
    )
    {
        var guard = new FakeGuard();
        var (server, http) = await Start(
            guard,
            new ServeOptions
            {
                MaxTexts = 4,
                MaxTextChars = 40,
                MaxBodyBytes = 200,
            }
        );
        await using var _ = server;
        // "\u00ff\u00fe" stands for those two raw bytes, which are not UTF-8
        var content = new ByteArrayContent(body.StartsWith('\u00ff') ? body.Select(c => (byte)c).ToArray() : Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var r = await http.PostAsync("/v1/classify", content);
        Assert.True(status == (int)r.StatusCode, $"{what}: {(int)r.StatusCode} {await r.Content.ReadAsStringAsync()}");
        var error = (await Json(r)).GetProperty("error");
        Assert.Equal(errorCode, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Empty(guard.Batches);
        // the server goes on serving
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/classify", Body(Texts("a good movie")))).StatusCode);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused_without_a_content_length()
    {
        var guard = new FakeGuard();
        var (server, http) = await Start(guard, new ServeOptions { MaxBodyBytes = 100 });
        await using var _ = server;
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Texts(new string('x', 300)))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/classify") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var r = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Empty(guard.Batches);
    }

    [Fact]
    public async Task Waiting_requests_become_one_batch_that_never_exceeds_the_batch_size()
    {
        var guard = new FakeGuard();
        var (server, http) = await Start(guard, new ServeOptions { MaxBatch = 5, BatchWindowMs = 1000 });
        await using var _ = server;
        guard.Gate.Reset();
        var first = http.PostAsync("/v1/classify", Body(Texts("hold the worker")));
        Assert.True(await guard.Entered.WaitAsync(TimeSpan.FromSeconds(20)));
        // eight requests of two texts wait while the worker is held
        var waiting = Enumerable
            .Range(0, 8)
            .Select(i => http.PostAsync("/v1/classify", Body(Texts($"text {i} a", $"text {i} b"))))
            .ToList();
        await WaitFor(() => server.Metrics.QueueDepth.Value == 8);
        guard.Gate.Set();
        var answers = await Task.WhenAll(waiting.Prepend(first));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        // each request gets its own two answers, in order
        for (int i = 0; i < 8; i++)
        {
            var results = (await Json(answers[i + 1])).GetProperty("results").EnumerateArray().ToList();
            Assert.Equal(2, results.Count);
        }
        Assert.Equal([1, 4, 4, 4, 4], guard.Batches.ToArray()); // 2 + 2 fit in 5; a third request would not
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_and_the_queued_requests_still_finish()
    {
        var guard = new FakeGuard();
        var (server, http) = await Start(guard, new ServeOptions { MaxBatch = 1, QueueCapacity = 1 });
        await using var _ = server;
        guard.Gate.Reset();
        var held = http.PostAsync("/v1/classify", Body(Texts("held")));
        Assert.True(await guard.Entered.WaitAsync(TimeSpan.FromSeconds(20)));
        var queued = http.PostAsync("/v1/classify", Body(Texts("queued")));
        await WaitFor(() => server.Metrics.QueueDepth.Value == 1);
        var refused = await http.PostAsync("/v1/classify", Body(Texts("refused")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("overloaded", (await Json(refused)).GetProperty("error").GetProperty("code").GetString());
        Assert.NotNull(refused.Headers.RetryAfter);
        guard.Gate.Set();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("psim_requests_total{endpoint=\"classify\",status=\"503\"} 1", metrics);
        Assert.Contains("psim_requests_total{endpoint=\"classify\",status=\"200\"} 2", metrics);
        var resident = metrics.Split('\n').Single(l => l.StartsWith("psim_memory_bytes{part=\"resident\"}", StringComparison.Ordinal));
        Assert.True(double.Parse(resident.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) > 0, resident);
        Assert.Contains("psim_finalizer_gate{count=\"lapses\"}", metrics);
    }

    [Fact]
    public async Task Stopping_drains_the_request_in_flight_then_refuses_connections_and_releases_the_models()
    {
        var guard = new FakeGuard();
        var (server, http) = await Start(guard);
        guard.Gate.Reset();
        var inFlight = http.PostAsync("/v1/classify", Body(Texts("in flight", "a mn b")));
        Assert.True(await guard.Entered.WaitAsync(TimeSpan.FromSeconds(20)));
        var stopping = server.StopAsync();
        await Task.Delay(300);
        Assert.False(stopping.IsCompleted); // waits for the request
        Assert.False(guard.Disposed);
        guard.Gate.Set();
        var r = await inFlight;
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var results = (await Json(r)).GetProperty("results").EnumerateArray().ToList();
        Assert.True(results[1].GetProperty("rejected").GetBoolean());
        await stopping;
        Assert.True(guard.Disposed);
        await Assert.ThrowsAsync<HttpRequestException>(() => new HttpClient { BaseAddress = server.Address }.GetAsync("/healthz"));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Until_the_models_load_readyz_and_classify_answer_503_and_healthz_200()
    {
        using var loaded = new ManualResetEventSlim(false);
        var guard = new FakeGuard();
        await using var server = await GuardServer.StartAsync(
            () =>
            {
                loaded.Wait(TimeSpan.FromSeconds(30));
                return guard;
            },
            new ServeOptions { Port = 0 }
        );
        using var http = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.NotNull(ready.Headers.RetryAfter);
        var early = await http.PostAsync("/v1/classify", Body(Texts("too early")));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
        Assert.Equal("not_ready", (await Json(early)).GetProperty("error").GetProperty("code").GetString());
        loaded.Set();
        await server.Loading;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        var r = await http.PostAsync("/v1/classify", Body(Texts("now a good one", "mn")));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("psim_texts_total 2", metrics);
        Assert.Contains("psim_rejections_total 1", metrics);
        Assert.Contains("psim_batch_size_count 1", metrics);
        Assert.Contains("psim_classify_seconds_bucket", metrics);
    }

    [Fact]
    public async Task The_live_flag_rate_is_in_metrics_and_a_parting_from_the_calibrated_frr_is_logged()
    {
        var warnings = new ConcurrentQueue<string>();
        var guard = new FakeGuard { ExpectedFlagRate = 0.01 };
        await using var server = await GuardServer.StartAsync(
            () => guard,
            new ServeOptions
            {
                Port = 0,
                FlagRate = new Defense.Detection.FlagRateOptions { Window = 100 },
            },
            warn: warnings.Enqueue
        );
        await server.Loading;
        using var http = new HttpClient { BaseAddress = server.Address };
        var clean = Enumerable.Range(0, 40).Select(i => $"text {i}").ToArray();
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/classify", Body(Texts(clean)))).StatusCode);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("psim_flag_rate{value=\"observed\"} 0", metrics);
        Assert.Contains("psim_flag_rate{value=\"expected\"} 0.01", metrics);
        Assert.Contains("psim_flag_rate{value=\"parted\"} 0", metrics);
        Assert.Empty(warnings);

        var triggered = Enumerable.Range(0, 20).Select(i => $"mn text {i}").ToArray(); // 20 of the latest 60 flagged, against 1%
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/classify", Body(Texts(triggered)))).StatusCode);
        metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("psim_flag_rate{value=\"parted\"} 1", metrics);
        var warning = Assert.Single(warnings);
        Assert.Contains("20 of 60 inputs flagged", warning);

        for (int i = 0; i < 3; i++) // 100 clean texts push the flags out of the window
            await http.PostAsync("/v1/classify", Body(Texts(clean)));
        Assert.Contains("psim_flag_rate{value=\"parted\"} 0", await http.GetStringAsync("/metrics"));
        Assert.Equal(2, warnings.Count);
        Assert.Contains("back in line", warnings.Last());
    }

    [Fact]
    public async Task A_model_that_fails_to_load_faults_loading_and_options_that_cannot_work_are_refused()
    {
        await using var server = await GuardServer.StartAsync(
            () => throw new PsimException("no such model"),
            new ServeOptions { Port = 0 }
        );
        var e = await Assert.ThrowsAsync<PsimException>(() => server.Loading);
        Assert.Contains("no such model", e.Message);
        await Assert.ThrowsAsync<PsimException>(() =>
            GuardServer.StartAsync(() => new FakeGuard(), new ServeOptions { Port = 0, MaxBatch = 0 })
        );
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 400 && !condition(); i++)
            await Task.Delay(25);
        Assert.True(condition(), "condition not reached in 10 s");
    }
}

/// <summary>A served batch mixes lengths; it is cut into groups of similar length before the models see it.</summary>
public class PaddingGroupsTests
{
    [Fact]
    public void A_cut_is_made_only_where_the_padding_it_saves_outweighs_a_pass()
    {
        // sorted: 3 (row 1), 4 (row 3), 10 (row 0), 11 (row 2), 30 (row 4); a pass costs 8 tokens:
        // [3 4][10 11][30] = (8 + 8) + (8 + 22) + (8 + 30) = 84, less than any other cut (one group: 8 + 5 x 30 = 158)
        Assert.Equal(
            [
                [1, 3],
                [0, 2],
                [4],
            ],
            Psim.Training.PaddingGroups.Of([10, 3, 11, 4, 30], 8, 64)
        );
        Assert.Equal(
            [
                [1, 3, 0, 2, 4],
            ],
            Psim.Training.PaddingGroups.Of([10, 3, 11, 4, 30], 1000, 64)
        ); // a dear pass: one group
        Assert.Equal(
            [
                [0],
                [1, 2],
                [3, 4],
            ],
            Psim.Training.PaddingGroups.Of([5, 5, 5, 5, 5], 8, 2)
        ); // never over maxRows
        Assert.Empty(Psim.Training.PaddingGroups.Of([], 8, 4));
    }

    [Fact]
    public void The_groups_cost_no_more_than_any_other_cut_of_the_sorted_rows()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var lengths = Enumerable.Range(0, rng.Next(1, 9)).Select(_ => rng.Next(1, 40)).ToArray();
            double pass = rng.Next(0, 60);
            int maxRows = rng.Next(1, 6);
            var groups = Psim.Training.PaddingGroups.Of(lengths, pass, maxRows);
            Assert.Equal(Enumerable.Range(0, lengths.Length), groups.SelectMany(g => g).Order());
            Assert.All(groups, g => Assert.InRange(g.Length, 1, maxRows));
            double Cost(IEnumerable<int[]> gs) => gs.Sum(g => pass + g.Length * g.Max(i => lengths[i]));
            Assert.Equal(BestCut(lengths.Order().ToArray(), pass, maxRows), Cost(groups), 6);
        }
    }

    /// <summary>Every cut of the sorted lengths into runs of at most maxRows, tried one by one.</summary>
    private static double BestCut(int[] sorted, double pass, int maxRows, int from = 0)
    {
        if (from == sorted.Length)
            return 0;
        double best = double.PositiveInfinity;
        for (int to = from + 1; to <= Math.Min(sorted.Length, from + maxRows); to++)
            best = Math.Min(best, pass + (to - from) * sorted[to - 1] + BestCut(sorted, pass, maxRows, to));
        return best;
    }
}

/// <summary>The <c>psim serve</c> process itself: ready on a free port, answers, and on SIGTERM drains and exits 0.</summary>
public class ServeProcessTests
{
    [Fact]
    public async Task Psim_serve_answers_over_http_and_exits_cleanly_on_sigterm()
    {
        var (baseDir, dataDir) = TestModels.TinyTask();
        var detDir = TestModels.TinyDetector(baseDir, dataDir);
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (
            var a in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "Psim.Cli.dll"),
                "serve",
                "--model",
                baseDir,
                "--detector",
                detDir,
                "--port",
                "0",
                "--max-length",
                "16",
                "--threads",
                "1",
            }
        )
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var lines = new System.Collections.Concurrent.BlockingCollection<string>();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lines.Add(e.Data);
        };
        p.BeginErrorReadLine();
        try
        {
            Uri? address = null;
            var seen = new List<string>();
            while (lines.TryTake(out var line, TimeSpan.FromSeconds(60)))
            {
                seen.Add(line);
                var m = System.Text.RegularExpressions.Regex.Match(line, @"listening on (http://\S+?)/? ");
                if (m.Success)
                    address = new Uri(m.Groups[1].Value);
                if (line.Contains("psim serve: ready"))
                    break;
            }
            Assert.True(address is not null && seen.Any(l => l.Contains("ready")), string.Join('\n', seen));
            using var http = new HttpClient { BaseAddress = address };
            var r = await http.PostAsync(
                "/v1/classify",
                new StringContent("{\"texts\": [\"the movie is good\"]}", Encoding.UTF8, "application/json")
            );
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
            Assert.Equal(0, kill(p.Id, 15)); // SIGTERM
            Assert.True(p.WaitForExit(30_000), "psim serve did not exit after SIGTERM");
            Assert.Equal(0, p.ExitCode);
            var rest = new List<string>();
            while (lines.TryTake(out var line, TimeSpan.FromSeconds(2)))
                rest.Add(line);
            Assert.Contains(rest, l => l.Contains("psim serve: stopped"));
        }
        finally
        {
            if (!p.HasExited)
                p.Kill();
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
