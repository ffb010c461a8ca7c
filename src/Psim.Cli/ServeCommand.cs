using System.CommandLine;
using Psim.Serving;
using Psim.Workflows;

namespace Psim.Cli;

/// <summary><c>psim serve</c>: the victim behind its PSIM detector as an HTTP service.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var victim = new VictimFlags();
        var detector = new DetectorFlags();
        var d = new ServeOptions();
        var host = new Option<string>("--host")
        {
            Description = "the address to listen on (loopback unless you mean otherwise)",
            DefaultValueFactory = _ => d.Host,
        };
        var port = new Option<int>("--port")
        {
            Description = "the TCP port (0: any free one, printed at start)",
            DefaultValueFactory = _ => d.Port,
        };
        var maxBatch = new Option<int>("--max-batch") { Description = "texts per micro-batch", DefaultValueFactory = _ => d.MaxBatch };
        var window = new Option<int>("--batch-window-ms")
        {
            Description = "how long a batch waits for more requests after its first",
            DefaultValueFactory = _ => d.BatchWindowMs,
        };
        var queue = new Option<int>("--queue-capacity")
        {
            Description = "requests that may wait; more get 503 with Retry-After",
            DefaultValueFactory = _ => d.QueueCapacity,
        };
        var maxTexts = new Option<int>("--max-texts") { Description = "texts per request", DefaultValueFactory = _ => d.MaxTexts };
        var maxChars = new Option<int>("--max-text-chars")
        {
            Description = "characters per text",
            DefaultValueFactory = _ => d.MaxTextChars,
        };
        var maxBody = new Option<long>("--max-body-bytes")
        {
            Description = "bytes per request body",
            DefaultValueFactory = _ => d.MaxBodyBytes,
        };
        var drain = new Option<int>("--drain-seconds")
        {
            Description = "on SIGTERM or Ctrl-C, how long in-flight requests may take to finish",
            DefaultValueFactory = _ => d.DrainSeconds,
        };
        var cmd = new Command(
            "serve",
            "Serve the victim behind PSIM over HTTP (ASP.NET Core): POST /v1/classify, GET /healthz, /readyz, /metrics (Prometheus)"
        )
        {
            host,
            port,
            maxBatch,
            window,
            queue,
            maxTexts,
            maxChars,
            maxBody,
            drain,
        };
        var guard = new GuardFlags();
        victim.AddTo(cmd);
        detector.AddTo(cmd);
        guard.AddTo(cmd);
        cmd.SetAction(r =>
            Cli.RunCancellable(ct =>
            {
                Cli.ApplyThreads(r);
                GuardService.Run(
                    new ServeRequest
                    {
                        Guard = new GuardedPredictionRequest
                        {
                            Victim = victim.Read(r),
                            Detector = detector.Read(r),
                            Guard = guard.Read(r),
                        },
                        Options = new ServeOptions
                        {
                            Host = r.GetValue(host)!,
                            Port = r.GetValue(port),
                            MaxBatch = r.GetValue(maxBatch),
                            BatchWindowMs = r.GetValue(window),
                            QueueCapacity = r.GetValue(queue),
                            MaxTexts = r.GetValue(maxTexts),
                            MaxTextChars = r.GetValue(maxChars),
                            MaxBodyBytes = r.GetValue(maxBody),
                            DrainSeconds = r.GetValue(drain),
                        },
                    },
                    Cli.Log,
                    ct
                );
                return ExitCode.Ok;
            })
        );
        return cmd;
    }
}
