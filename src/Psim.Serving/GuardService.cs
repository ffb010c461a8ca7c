using System.Runtime.InteropServices;
using Psim.Workflows;

namespace Psim.Serving;

/// <summary>What <c>psim serve</c> does: the victim behind PSIM over HTTP until SIGTERM or Ctrl-C.</summary>
public sealed record ServeRequest
{
    public required GuardedPredictionRequest Guard { get; init; }
    public ServeOptions Options { get; init; } = new();
}

public static class GuardService
{
    /// <summary>Serves until <paramref name="ct"/> is cancelled (Ctrl-C) or SIGTERM arrives, then drains and returns; a model that fails to load stops it with the error.</summary>
    public static void Run(ServeRequest r, Action<string> log, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        var server = GuardServer.StartAsync(() => LoadedGuard.Load(r.Guard, log), r.Options, stop.Token, log).GetAwaiter().GetResult();
        try
        {
            log($"psim serve: listening on {server.Address} (POST /v1/classify, GET /healthz /readyz /metrics); loading the models ...");
            try
            {
                server.Loading.Wait(stop.Token);
            }
            catch (OperationCanceledException) { }
            catch (AggregateException e)
            {
                throw e.InnerException ?? e;
            }
            if (!stop.IsCancellationRequested)
            {
                log(
                    $"psim serve: ready; batches of up to {r.Options.MaxBatch} texts, {r.Options.BatchWindowMs} ms window, {r.Options.QueueCapacity} requests may wait"
                );
                stop.Token.WaitHandle.WaitOne();
            }
            log($"psim serve: stopping; in-flight requests get up to {r.Options.DrainSeconds} s ...");
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        log("psim serve: stopped");
    }
}
