using LocalClaude.Results;

namespace LocalClaude.Reporting;

public enum ChangeKind
{
    /// <summary>Worked on the baseline, fails on the candidate (or the candidate lost a check that worked).</summary>
    Regression,
    /// <summary>Failed on the baseline, works on the candidate.</summary>
    Fix,
    Unchanged,
    /// <summary>Different, neither a new failure nor a fix (pass ↔ known deviation, a pass rate that moved).</summary>
    Changed,
    /// <summary>Ran on only one side; a failing baseline check the candidate did not run, or a new candidate check.</summary>
    NotCompared,
}

public sealed record CheckComparison(
    string Kind,
    string Id,
    string Title,
    CheckOutcome? Baseline,
    CheckOutcome? Candidate,
    ChangeKind Change,
    string? CandidateReason);

public sealed record TaskComparison(
    string Task,
    TaskState? Baseline,
    TaskState? Candidate,
    ChangeKind Change);

/// <summary>One gated metric on both sides: medians, spreads and the verdict of <see cref="PairedComparison"/>.</summary>
/// <param name="Baseline">The baseline's median.</param>
/// <param name="Candidate">The candidate's median.</param>
/// <param name="RelativeChange">Median ratio − 1 (paired: the median of the per-pair ratios).</param>
/// <param name="Worse">The median moved the wrong way for this metric (slower TTFB, lower decode speed).</param>
public sealed record MetricComparison(
    string Metric,
    string Unit,
    double Baseline,
    double Candidate,
    double? RelativeChange,
    PairedVerdict Verdict,
    bool Worse,
    string Why)
{
    public SampleSpread? BaselineSpread { get; init; }
    public SampleSpread? CandidateSpread { get; init; }
    /// <summary>The bootstrap interval of the median ratio.</summary>
    public double? RatioLow { get; init; }
    public double? RatioHigh { get; init; }
    /// <summary>Measured in interleaved pairs on both builds at once (else two independent sets).</summary>
    public bool Paired { get; init; }

    /// <summary>Beyond the threshold and beyond the noise.</summary>
    public bool Significant => Verdict is PairedVerdict.Better or PairedVerdict.Worse;
    public bool IsRegression => Verdict == PairedVerdict.Worse;
    public bool IsImprovement => Verdict == PairedVerdict.Better;
    /// <summary>Slower beyond the threshold by the median, but the noise forbids a verdict: fails only with <see cref="GateOptions.Strict"/>.</summary>
    public bool IsNoisySlowdown => Verdict == PairedVerdict.Inconclusive && Worse;
}

/// <summary>Which side is which, as the gate's table prints them.</summary>
public sealed record GateSide(string Label, string? ServerVersion);

/// <summary>The gate's verdict for one profile.</summary>
public sealed record GateResult
{
    public const int Passed = Infrastructure.ExitCodes.Ok;
    public const int Regressed = Infrastructure.ExitCodes.Verdict;
    public const int CouldNotRun = Infrastructure.ExitCodes.CouldNotRun;

    public required string Profile { get; init; }
    public required GateSide Baseline { get; init; }
    public required GateSide Candidate { get; init; }
    public required GateOptions Options { get; init; }
    public IReadOnlyList<CheckComparison> Checks { get; init; } = [];
    public IReadOnlyList<TaskComparison> Tasks { get; init; } = [];
    public IReadOnlyList<MetricComparison> Metrics { get; init; } = [];
    /// <summary>Rounds of the paired measurement (0: the metrics came from each side's own runs, not interleaved).</summary>
    public int PairedRounds { get; init; }

    public IReadOnlyList<CheckComparison> CheckRegressions => Checks.Where(c => c.Change == ChangeKind.Regression).ToList();
    public IReadOnlyList<CheckComparison> CheckFixes => Checks.Where(c => c.Change == ChangeKind.Fix).ToList();
    public IReadOnlyList<TaskComparison> TaskRegressions => Tasks.Where(t => t.Change == ChangeKind.Regression).ToList();
    public IReadOnlyList<TaskComparison> TaskFixes => Tasks.Where(t => t.Change == ChangeKind.Fix).ToList();
    /// <summary>
    /// Slowdowns beyond the threshold and the noise (with <see cref="GateOptions.Strict"/>, also the inconclusive ones);
    /// they fail the gate unless <see cref="GateOptions.PerformanceFails"/> is off.
    /// </summary>
    public IReadOnlyList<MetricComparison> PerformanceRegressions => Metrics.Where(m => m.IsRegression || (Options.Strict && m.IsNoisySlowdown)).ToList();
    public IReadOnlyList<MetricComparison> Inconclusive => Metrics.Where(m => m.Verdict == PairedVerdict.Inconclusive).ToList();

    public int RegressionCount =>
        CheckRegressions.Count + TaskRegressions.Count + (Options.PerformanceFails ? PerformanceRegressions.Count : 0);

    public int ExitCode => RegressionCount > 0 ? Regressed : Passed;
}

/// <summary>How strict the gate is.</summary>
/// <param name="RelativeThresholds">Metric name → relative threshold, replacing the catalog's default for that metric.</param>
/// <param name="PerformanceFails">A slowdown beyond the threshold and the noise fails the gate (exit 1); off: it is only reported.</param>
/// <param name="Strict">An inconclusive (noisy) slowdown whose median is beyond the threshold fails the gate too.</param>
public sealed record GateOptions(IReadOnlyDictionary<string, double>? RelativeThresholds = null, bool PerformanceFails = true, bool Strict = false)
{
    public static GateOptions Default { get; } = new();

    public double? RelativeThreshold(MetricDefinition metric) =>
        RelativeThresholds is not null && RelativeThresholds.TryGetValue(metric.Name, out var t) ? t : metric.GateRelativeThreshold;
}
