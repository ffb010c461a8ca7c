using Psim.Attacks;
using Psim.Pipelines;

namespace Psim.Study;

/// <summary>One finished (or skipped) step of the grid, as the report reads it.</summary>
public sealed record StepRecord(StepKind Kind, string Pair, string Attack, string? Strategy, long Seed, string Dir, bool Ran, string? Skipped = null);

/// <summary>
/// Runs a <see cref="StudyPlan"/> step by step through the <see cref="StepCache"/>: finished steps are
/// skipped, so a re-run does only what changed and a stopped run resumes.
/// </summary>
public sealed class StudyRunner(StudyPlan plan, Action<string> log)
{
    public List<StepRecord> Steps { get; } = new();
    /// <summary>Called after each step (tests use it to stop a run part-way).</summary>
    public Action<StepRecord>? OnStep { get; init; }

    public void Run(CancellationToken ct = default)
    {
        for (int i = 0; i < plan.Steps.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var step = plan.Steps[i];
            string label = $"[{i + 1}/{plan.Steps.Count}] {Vocabulary<StepKind>.Name(step.Kind)} {step.Pair.Name} {Vocabulary<AttackKind>.Name(step.Attack)}{(step.Strategy is null ? "" : " " + step.Strategy)} seed {step.Seed}";
            bool ran = false;
            if (step.Skipped is not null) log($"{label}: skipped: {step.Skipped}");
            else
            {
                if (!StepCache.IsDone(step)) log($"{label}: running");
                var sw = System.Diagnostics.Stopwatch.StartNew();
                ran = StepCache.Run(step, () => Execute(step.Request!, ct));
                log(ran ? $"{label}: done in {sw.Elapsed.TotalSeconds:F0} s" : $"{label}: cached");
            }
            var rec = new StepRecord(step.Kind, step.Pair.Name, Vocabulary<AttackKind>.Name(step.Attack), step.Strategy, step.Seed, step.Dir, ran, step.Skipped);
            Steps.Add(rec);
            OnStep?.Invoke(rec);
        }
    }

    private void Execute(StepRequest request, CancellationToken ct)
    {
        switch (request)
        {
            case StepRequest<PoisonRequest> p: PoisonPipeline.Run(p.Request, log, ct); break;
            case StepRequest<FinetuneRequest> f: FinetunePipeline.Run(f.Request, log, ct); break;
            case StepRequest<DetectorRequest> d: DetectorPipeline.Run(d.Request, log, ct).Dispose(); break;
            case StepRequest<DefendRequest> d: DefendEvaluatePipeline.Run(d.Request, log, ct); break;
            case StepRequest<BaselineRequest> b: BaselineDefensePipeline.Run(b.Request, log, ct); break;
            default: throw new ArgumentOutOfRangeException(nameof(request), request.GetType().Name, "no pipeline runs this request");
        }
    }
}
