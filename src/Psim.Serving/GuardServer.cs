using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;
using Psim.Defense.Detection;
using Psim.Workflows;

namespace Psim.Serving;

/// <summary>
/// A victim behind its PSIM detector as an HTTP service on ASP.NET Core (Kestrel): <c>POST /v1/classify</c>,
/// <c>GET /healthz</c>, <c>GET /readyz</c> (ready once the models are loaded), <c>GET /metrics</c> (Prometheus).
/// It listens at once and loads the models in the background; requests are micro-batched (<see cref="MicroBatcher"/>);
/// stopping drains in-flight requests before the models are released.
/// </summary>
public sealed class GuardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServeOptions _o;
    private readonly ServeMetrics _metrics = new();
    private readonly MicroBatcher _batcher;
    private volatile IGuard? _guard;
    private FlagRateMonitor? _flagRate;
    private readonly Action<string> _warn;
    private int _parted;
    private int _stopped;

    /// <summary>Where it listens (the real port when 0 was asked for).</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Completes when the models are loaded; faults with the loading error.</summary>
    public Task Loading { get; private set; } = Task.CompletedTask;
    public bool Ready => _guard is not null && !_app.Lifetime.ApplicationStopping.IsCancellationRequested;
    public ServeMetrics Metrics => _metrics;

    private GuardServer(ServeOptions o, Action<string> warn)
    {
        _o = o;
        _warn = warn;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder
            .WebHost.UseKestrelCore()
            .ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Limits.MaxRequestBodySize = o.MaxBodyBytes + 1; // the handler answers 413 itself; this is the backstop
                if (o.Host == "localhost")
                    k.ListenLocalhost(o.Port);
                else if (IPAddress.TryParse(o.Host, out var ip))
                    k.Listen(ip, o.Port);
                else
                    throw new PsimException($"--host {o.Host}: give an IP address (127.0.0.1, ::1, 0.0.0.0) or localhost");
            });
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(o.DrainSeconds));
        _app = builder.Build();
        _batcher = new MicroBatcher(() => _guard, o, _metrics);
        _app.MapGet("/healthz", (HttpContext c) => Answer(c, "healthz", 200, new { status = "ok" }));
        _app.MapGet("/readyz", (HttpContext c) =>
            Ready
                ? Answer(c, "readyz", 200, new { status = "ready" })
                : Unavailable(
                    c,
                    "readyz",
                    _guard is null ? "not_ready" : "stopping",
                    _guard is null ? "the models are still loading" : "the server is stopping"
                )
        );
        _app.MapPost("/v1/classify", ClassifyAsync);
        _app.MapMetrics("/metrics", _metrics.Registry);
    }

    /// <summary>Starts listening, then loads the guard in the background (<see cref="Loading"/>).</summary>
    /// <param name="warn">where a warning goes (the live flag rate parting from the calibrated FRR, and its return)</param>
    public static async Task<GuardServer> StartAsync(
        Func<IGuard> load,
        ServeOptions options,
        CancellationToken ct = default,
        Action<string>? warn = null
    )
    {
        if (options.Problem() is string problem)
            throw new PsimException(problem);
        options.FlagRate.Validate();
        var server = new GuardServer(options, warn ?? (_ => { }));
        try
        {
            await server._app.StartAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await server._app.DisposeAsync().ConfigureAwait(false);
            throw new PsimException($"cannot listen on {options.Host}:{options.Port}: {e.Message}");
        }
        var addresses = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        server.Address = new Uri(addresses.First().Replace("://[::]", "://localhost", StringComparison.Ordinal));
        server.Loading = Task.Run(() =>
        {
            var guard = load();
            if (server._app.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                guard.Dispose();
                return;
            }
            server._flagRate = new FlagRateMonitor(guard.ExpectedFlagRate, options.FlagRate);
            server._guard = guard;
        });
        return server;
    }

    private async Task ClassifyAsync(HttpContext c)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            if (_guard is null)
            {
                await Unavailable(c, "classify", "not_ready", "the models are still loading").ConfigureAwait(false);
                return;
            }
            if (_app.Lifetime.ApplicationStopping.IsCancellationRequested)
            {
                await Unavailable(c, "classify", "stopping", "the server is stopping").ConfigureAwait(false);
                return;
            }
            if (!IsJson(c.Request.ContentType))
            {
                await Fail(
                        c,
                        new ApiError(
                            415,
                            "unsupported_media_type",
                            $"the body must be application/json, not {c.Request.ContentType ?? "untyped"}"
                        )
                    )
                    .ConfigureAwait(false);
                return;
            }
            var body = await ReadBodyAsync(c).ConfigureAwait(false);
            if (body is null)
            {
                c.Response.Headers.Connection = "close"; // the rest of the body is not read, so this connection cannot carry another request
                await Fail(c, new ApiError(413, "body_too_large", $"the body is over {_o.MaxBodyBytes} bytes")).ConfigureAwait(false);
                return;
            }
            var (texts, error) = ClassifyApi.Parse(body.Value, _o);
            if (error is not null)
            {
                await Fail(c, error).ConfigureAwait(false);
                return;
            }
            var pending = _batcher.TryEnqueue(texts!);
            if (pending is null)
            {
                await Unavailable(c, "classify", "overloaded", $"{_o.QueueCapacity} requests are already waiting").ConfigureAwait(false);
                return;
            }
            var outcomes = await pending.ConfigureAwait(false);
            _metrics.Texts.Inc(outcomes.Count);
            _metrics.Rejections.Inc(outcomes.Count(p => p.Rejected));
            WatchFlagRate(outcomes);
            await Answer(c, "classify", 200, new { results = outcomes.Select(ClassifyResult.From) }).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            c.Response.Headers.Connection = "close";
            await Fail(c, new ApiError(e.StatusCode, e.StatusCode == 413 ? "body_too_large" : "bad_request", e.Message))
                .ConfigureAwait(false);
        }
        catch (Exception e) when (!c.RequestAborted.IsCancellationRequested)
        {
            await Fail(c, new ApiError(500, "internal_error", e.Message)).ConfigureAwait(false);
        }
        finally
        {
            _metrics.Latency.Observe(clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>The live flag rate over the latest texts, in /metrics; a warning when it parts from the calibrated FRR, and a line when it returns.</summary>
    private void WatchFlagRate(IReadOnlyList<GuardedPrediction> outcomes)
    {
        if (_flagRate is not { } monitor)
            return;
        monitor.Record(outcomes.Select(p => p.Rejected));
        var check = monitor.Check();
        _metrics.FlagRate(check);
        int parted = check.Parted ? 1 : 0;
        if (Interlocked.Exchange(ref _parted, parted) != parted)
            _warn(
                "psim serve: "
                    + (check.Parted ? check.Describe() : $"the flag rate is back in line: {check.Describe()}")
                    + $" (the latest {check.Inputs:N0} texts)"
            );
    }

    /// <summary>The body, or null when it is over the limit (by its Content-Length, or while reading a chunked one).</summary>
    private async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpContext c)
    {
        if (c.Request.ContentLength > _o.MaxBodyBytes)
            return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await c.Request.Body.ReadAsync(chunk, c.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > _o.MaxBodyBytes)
                return null;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private Task Answer(HttpContext c, string endpoint, int status, object body)
    {
        _metrics.Requests.WithLabels(endpoint, status.ToString()).Inc();
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(c.Response.Body, body, ClassifyApi.Json);
    }

    private Task Fail(HttpContext c, ApiError e) => Answer(c, "classify", e.Status, new { error = e });

    private Task Unavailable(HttpContext c, string endpoint, string code, string message)
    {
        c.Response.Headers.RetryAfter = "1";
        return Answer(c, endpoint, 503, new { error = new ApiError(503, code, message) });
    }

    /// <summary>Stops listening, lets in-flight requests finish (up to <see cref="ServeOptions.DrainSeconds"/>), then releases the models.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
            return;
        await _app.StopAsync().ConfigureAwait(false);
        await _batcher.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Loading.ConfigureAwait(false);
        }
        catch
        { /* a failed load has been reported by whoever awaited it */
        }
        _guard?.Dispose();
        _guard = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
