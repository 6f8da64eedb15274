using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>
/// Compares a baseline and a candidate run of the same profile: new failures, fixes, unchanged checks and tasks,
/// and TTFB / decode-speed changes beyond a threshold.
/// </summary>
public static class Gate
{
    public static GateResult Compare(ProfileSnapshot baseline, ProfileSnapshot candidate, GateOptions? options = null)
    {
        options ??= GateOptions.Default;
        if (baseline.Profile != candidate.Profile)
            throw new ArgumentException($"the gate compares one profile: baseline is '{baseline.Profile}', candidate is '{candidate.Profile}'");
        return new GateResult
        {
            Profile = baseline.Profile,
            Baseline = new GateSide(baseline.Label, baseline.ServerVersion),
            Candidate = new GateSide(candidate.Label, candidate.ServerVersion),
            Options = options,
            Checks = CompareChecks(baseline.Checks, candidate.Checks),
            Tasks = CompareTasks(baseline.Tasks, candidate.Tasks),
            Metrics = CompareMetrics(baseline.Metrics, candidate.Metrics, options),
        };
    }

    internal static IReadOnlyList<CheckComparison> CompareChecks(IReadOnlyList<CheckState> baseline, IReadOnlyList<CheckState> candidate)
    {
        var before = baseline.ToDictionary(c => c.Key);
        var after = candidate.ToDictionary(c => c.Key);
        var keys = baseline.Select(c => c.Key).Concat(candidate.Select(c => c.Key)).Distinct();
        return keys.Select(key =>
        {
            before.TryGetValue(key, out var b);
            after.TryGetValue(key, out var c);
            var any = (c ?? b)!;
            return new CheckComparison(any.Kind, any.Id, any.Title, b?.Outcome, c?.Outcome, Classify(b?.Outcome, c?.Outcome), c?.Reason);
        }).ToList();
    }

    /// <summary>Fail is the only bad outcome: pass, known deviation and not-applicable all mean "works as documented".</summary>
    internal static ChangeKind Classify(CheckOutcome? baseline, CheckOutcome? candidate) => (baseline, candidate) switch
    {
        (null, _) => ChangeKind.NotCompared,
        // The candidate lost a check that worked: the run broke before it, which must not pass silently.
        (not CheckOutcome.Fail, null) => ChangeKind.Regression,
        (CheckOutcome.Fail, null) => ChangeKind.NotCompared,
        (not CheckOutcome.Fail, CheckOutcome.Fail) => ChangeKind.Regression,
        (CheckOutcome.Fail, not CheckOutcome.Fail) => ChangeKind.Fix,
        var (b, c) when b == c => ChangeKind.Unchanged,
        _ => ChangeKind.Changed,
    };

    internal static IReadOnlyList<TaskComparison> CompareTasks(IReadOnlyList<TaskState> baseline, IReadOnlyList<TaskState> candidate)
    {
        var before = baseline.ToDictionary(t => t.Task);
        var after = candidate.ToDictionary(t => t.Task);
        return baseline.Select(t => t.Task).Concat(candidate.Select(t => t.Task)).Distinct().Select(task =>
        {
            before.TryGetValue(task, out var b);
            after.TryGetValue(task, out var c);
            var change = (b, c) switch
            {
                (null, _) => ChangeKind.NotCompared,
                ({ Passes: > 0 }, null) => ChangeKind.Regression,
                (_, null) => ChangeKind.NotCompared,
                // A task that passed in any trial and now passes in none is a regression; a drop in the rate alone is noise-prone.
                ({ Passes: > 0 }, { Passes: 0 }) => ChangeKind.Regression,
                ({ Passes: 0 }, { Passes: > 0 }) => ChangeKind.Fix,
                ({ } x, { } y) when x.Passes * y.Trials == y.Passes * x.Trials => ChangeKind.Unchanged,
                _ => ChangeKind.Changed,
            };
            return new TaskComparison(task, b, c, change);
        }).ToList();
    }

    internal static IReadOnlyList<MetricComparison> CompareMetrics(
        IReadOnlyDictionary<string, double> baseline, IReadOnlyDictionary<string, double> candidate, GateOptions options)
    {
        var result = new List<MetricComparison>();
        foreach (var metric in ReportMetrics.Gated)
        {
            if (!baseline.TryGetValue(metric.Name, out var b) || !candidate.TryGetValue(metric.Name, out var c)) continue;
            var delta = c - b;
            double? relative = b == 0 ? null : delta / b;
            var threshold = options.RelativeThreshold(metric) ?? double.PositiveInfinity;
            var significant = Math.Abs(delta) > metric.GateAbsoluteThreshold && (relative is null || Math.Abs(relative.Value) > threshold);
            var worse = metric.Direction == MetricDirection.LowerIsBetter ? delta > 0 : delta < 0;
            result.Add(new MetricComparison(metric.Name, metric.Unit, b, c, relative, significant, worse));
        }
        return result;
    }
}
