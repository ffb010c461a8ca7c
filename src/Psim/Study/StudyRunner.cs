using Psim.Workflows;

namespace Psim.Study;

/// <summary>A step of the plan after the runner reached it: whether this invocation ran it (false: cached or skipped).</summary>
public sealed record StepRecord(PlannedStep Step, bool Ran);

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
            string label = $"[{i + 1}/{plan.Steps.Count}] {step.Describe()}";
            bool ran = false;
            if (step.Skipped is not null)
                log($"{label}: skipped: {step.Skipped}");
            else
            {
                if (!StepCache.IsDone(step))
                    log($"{label}: running");
                var sw = System.Diagnostics.Stopwatch.StartNew();
                ran = StepCache.Run(step, () => Execute(step.Request!, ct));
                log(ran ? $"{label}: done in {sw.Elapsed.TotalSeconds:F0} s" : $"{label}: cached");
            }
            var rec = new StepRecord(step, ran);
            Steps.Add(rec);
            OnStep?.Invoke(rec);
        }
    }

    /// <summary>
    /// Runs one step of the plan by name, what a scheduler's job does (<c>psim study run-step</c>): its upstream steps
    /// must be finished; a finished step is not run again. Returns whether it ran.
    /// </summary>
    public bool RunOne(string name, CancellationToken ct = default)
    {
        var step = plan.Steps.FirstOrDefault(s => s.Name == name)
            ?? throw new PsimException($"the study has no step {name} (plan.json lists them)");
        if (step.Skipped is not null)
            throw new PsimException($"step {name} is skipped: {step.Skipped}");
        var missing = step.Upstream.Where(u => !StepCache.IsDone(plan.Steps.First(s => s.Name == u))).ToList();
        if (missing.Count > 0)
            throw new PsimException($"step {name} reads steps that have not finished: {string.Join(", ", missing)}");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        bool ran = StepCache.Run(step, () => Execute(step.Request!, ct));
        log(ran ? $"{step.Describe()}: done in {sw.Elapsed.TotalSeconds:F0} s" : $"{step.Describe()}: cached");
        Steps.Add(new StepRecord(step, ran));
        return ran;
    }

    private void Execute(StepRequest request, CancellationToken ct)
    {
        switch (request)
        {
            case StepRequest<PoisonRequest> p:
                PoisonWorkflow.Run(p.Request, log, ct);
                break;
            case StepRequest<FinetuneRequest> f:
                FinetuneWorkflow.Run(f.Request, log, ct);
                break;
            case StepRequest<DetectorRequest> d:
                DetectorWorkflow.Run(d.Request, log, ct).Dispose();
                break;
            case StepRequest<DefendRequest> d:
                DefendEvaluateWorkflow.Run(d.Request, log, ct);
                break;
            case StepRequest<BaselineRequest> b:
                BaselineDefenseWorkflow.Run(b.Request, log, ct);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request.GetType().Name, "no workflow runs this request");
        }
    }
}
