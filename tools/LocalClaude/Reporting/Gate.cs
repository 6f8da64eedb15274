using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>
/// Compares a baseline and a candidate run of the same profile: new failures, fixes, unchanged checks and tasks,
/// and TTFB / decode-speed changes beyond a threshold.
/// </summary>
public static class Gate
{
    public static GateResult Compare(ProfileSnapshot baseline, ProfileSnapshot candidate, GateOptions? options = null,
        IReadOnlyList<PairedMetricSamples>? pairs = null)
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
            Metrics = CompareMetrics(baseline, candidate, pairs, options),
            PairedRounds = pairs?.Select(p => p.Samples.Count).DefaultIfEmpty(0).Max() ?? 0,
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
                ({ Passes: 0 } x, { Passes: 0 } y) => CompareFailures(x, y),
                ({ } x, { } y) when x.Passes * y.Trials == y.Passes * x.Trials => ChangeKind.Unchanged,
                _ => ChangeKind.Changed,
            };
            return new TaskComparison(task, b, c, change);
        }).ToList();
    }

    /// <summary>
    /// A task failing on both sides still says something: the server failing or refusing requests (API errors with a
    /// status, trials ended by an API error) is the server's doing, where "no tool call" on random weights is the
    /// model's. More of that per trial is a regression, less a fix; another failure kind alone is a change.
    /// </summary>
    internal static ChangeKind CompareFailures(TaskState baseline, TaskState candidate)
    {
        static double PerTrial(int count, TaskState t) => t.Trials == 0 ? 0 : (double)count / t.Trials;
        var serverFailures = PerTrial(candidate.ServerFailures, candidate).CompareTo(PerTrial(baseline.ServerFailures, baseline));
        var apiErrors = PerTrial(candidate.StatusApiErrors, candidate).CompareTo(PerTrial(baseline.StatusApiErrors, baseline));
        var worse = serverFailures > 0 || apiErrors > 0;
        var better = serverFailures < 0 || apiErrors < 0;
        if (worse && !better) return ChangeKind.Regression;
        if (better && !worse) return ChangeKind.Fix;
        if (worse) return ChangeKind.Changed;
        return SameKinds(baseline, candidate) ? ChangeKind.Unchanged : ChangeKind.Changed;
    }

    private static bool SameKinds(TaskState baseline, TaskState candidate)
    {
        var b = baseline.FailureKinds ?? new Dictionary<string, int>();
        var c = candidate.FailureKinds ?? new Dictionary<string, int>();
        return b.Count == c.Count && b.All(k => c.TryGetValue(k.Key, out var n) && n * baseline.Trials == k.Value * candidate.Trials);
    }

    /// <summary>
    /// Paired samples where the gate measured both builds in turn; otherwise each side's samples (or its one value)
    /// as two independent sets. Either way <see cref="PairedComparison"/> decides.
    /// </summary>
    internal static IReadOnlyList<MetricComparison> CompareMetrics(ProfileSnapshot baseline, ProfileSnapshot candidate,
        IReadOnlyList<PairedMetricSamples>? pairs, GateOptions options)
    {
        var result = new List<MetricComparison>();
        foreach (var metric in ReportMetrics.Gated)
        {
            var threshold = options.RelativeThreshold(metric) ?? double.PositiveInfinity;
            var higher = metric.Direction == MetricDirection.HigherIsBetter;
            PairedOutcome outcome;
            if (pairs?.FirstOrDefault(p => p.Metric == metric.Name) is { Samples.Count: > 0 } paired && paired.Samples.Any(s => s.Baseline != 0))
                outcome = PairedComparison.Compare(paired.Samples, higher, threshold, metric.GateAbsoluteThreshold);
            else if (baseline.SamplesOf(metric.Name) is { Count: > 0 } b && candidate.SamplesOf(metric.Name) is { Count: > 0 } c && b.Any(v => v != 0))
                outcome = PairedComparison.CompareUnpaired(b, c, higher, threshold, metric.GateAbsoluteThreshold);
            else continue;
            var change = outcome.MedianRatio - 1;
            var worse = higher ? change < 0 : change > 0;
            result.Add(new MetricComparison(metric.Name, metric.Unit, outcome.Baseline.Median, outcome.Candidate.Median, change, outcome.Verdict, worse, outcome.Why)
            {
                BaselineSpread = outcome.Baseline,
                CandidateSpread = outcome.Candidate,
                RatioLow = outcome.RatioLow,
                RatioHigh = outcome.RatioHigh,
                Paired = outcome.Paired,
            });
        }
        return result;
    }
}
