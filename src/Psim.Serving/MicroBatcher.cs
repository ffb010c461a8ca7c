using System.Diagnostics;
using System.Threading.Channels;
using Psim.Runtime;
using Psim.Workflows;

namespace Psim.Serving;

/// <summary>
/// Concurrent requests become batches: a bounded queue of requests, one worker that takes the first waiting
/// request, adds the next ones until the batch holds <see cref="ServeOptions.MaxBatch"/> texts or
/// <see cref="ServeOptions.BatchWindowMs"/> have passed, classifies them in one call and answers each request
/// with its own slice. A full queue refuses at once (the caller answers 503); disposing drains what was queued.
/// The worker is one dedicated thread, so that every batch's tensors come from the same native heap arena and
/// the finalizer gate has one owner: batches run on whichever pool thread was free grew one glibc arena after
/// another (docs/soak/serve-before.jsonl). After a batch, at most every <see cref="TrimEvery"/>, the worker hands
/// the native heap's free pages back (<see cref="NativeHeap.Trim"/>): batches of every size leave holes in the heap
/// that psim never trims for training, and the server's resident size crept up with them.
/// </summary>
public sealed class MicroBatcher : IAsyncDisposable
{
    private sealed record Job(IReadOnlyList<string> Texts, TaskCompletionSource<IReadOnlyList<GuardedPrediction>> Done);

    private readonly Channel<Job> _queue;
    private readonly Func<IGuard?> _guard;
    private readonly ServeOptions _o;
    private readonly ServeMetrics _metrics;
    private readonly Thread _worker;

    /// <summary>How often the worker may trim the native heap: the next batch faults the released pages in again, so trimming after every batch would pay that each time (the cost was not measured apart; docs/soak).</summary>
    public static readonly TimeSpan TrimEvery = TimeSpan.FromSeconds(2);
    private long _lastTrim = Stopwatch.GetTimestamp();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MicroBatcher(Func<IGuard?> guard, ServeOptions options, ServeMetrics metrics)
    {
        _guard = guard;
        _o = options;
        _metrics = metrics;
        _queue = Channel.CreateBounded<Job>(
            new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }
        );
        _worker = new Thread(Work) { IsBackground = true, Name = "psim inference" };
        _worker.Start();
    }

    /// <summary>Requests waiting for a batch.</summary>
    public int Waiting => _queue.Reader.Count;

    /// <summary>Queues a request's texts; null when the queue is full (or closed).</summary>
    public Task<IReadOnlyList<GuardedPrediction>>? TryEnqueue(IReadOnlyList<string> texts)
    {
        var job = new Job(
            texts,
            new TaskCompletionSource<IReadOnlyList<GuardedPrediction>>(TaskCreationOptions.RunContinuationsAsynchronously)
        );
        if (!_queue.Writer.TryWrite(job))
            return null;
        _metrics.QueueDepth.Set(_queue.Reader.Count);
        return job.Done.Task;
    }

    /// <summary>The worker thread's loop: it blocks while no request waits (it is its own thread, not the pool's).</summary>
    private void Work()
    {
        try
        {
            var reader = _queue.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                var batch = Collect(reader);
                if (batch.Count > 0)
                    Run(batch);
                TrimWhenDue();
            }
            _stopped.SetResult();
        }
        catch (Exception e)
        {
            _stopped.SetException(e);
        }
    }

    /// <summary>The first waiting request and those that follow within the window, up to the batch size.</summary>
    private List<Job> Collect(ChannelReader<Job> reader)
    {
        var batch = new List<Job>();
        int texts = 0;
        var window = Stopwatch.StartNew();
        while (true)
        {
            if (reader.TryPeek(out var next))
            {
                if (texts > 0 && texts + next.Texts.Count > _o.MaxBatch)
                    break;
                reader.TryRead(out _);
                batch.Add(next);
                texts += next.Texts.Count;
                if (texts >= _o.MaxBatch)
                    break;
                continue;
            }
            var left = _o.BatchWindowMs - window.Elapsed.TotalMilliseconds;
            if (batch.Count == 0 || left <= 0)
                break;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(left));
            try
            {
                if (!reader.WaitToReadAsync(timeout.Token).AsTask().GetAwaiter().GetResult())
                    break;
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _metrics.QueueDepth.Set(reader.Count);
        return batch;
    }

    private void Run(List<Job> batch)
    {
        var texts = batch.SelectMany(j => j.Texts).ToList();
        _metrics.BatchSize.Observe(texts.Count);
        try
        {
            var guard = _guard() ?? throw new InvalidOperationException("the models are not loaded");
            var outcomes = guard.Classify(texts);
            if (outcomes.Count != texts.Count)
                throw new InvalidOperationException($"the guard answered {outcomes.Count} of {texts.Count} texts");
            int at = 0;
            foreach (var job in batch)
            {
                job.Done.SetResult(outcomes.Skip(at).Take(job.Texts.Count).ToList());
                at += job.Texts.Count;
            }
        }
        catch (Exception e)
        {
            foreach (var job in batch)
                job.Done.TrySetException(e);
        }
    }

    private void TrimWhenDue()
    {
        if (Stopwatch.GetElapsedTime(_lastTrim) < TrimEvery)
            return;
        _lastTrim = Stopwatch.GetTimestamp();
        if (NativeHeap.Trim())
            _metrics.HeapTrims.Inc();
    }

    /// <summary>Stops taking requests and finishes every queued one.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopped.Task.ConfigureAwait(false);
    }
}
