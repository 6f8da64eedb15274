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

/// <param name="RelativeChange">(candidate − baseline) / baseline; null when the baseline is 0.</param>
/// <param name="Significant">Beyond both the relative and the absolute threshold.</param>
/// <param name="Worse">The change goes the wrong way for this metric (slower TTFB, lower decode speed).</param>
public sealed record MetricComparison(
    string Metric,
    string Unit,
    double Baseline,
    double Candidate,
    double? RelativeChange,
    bool Significant,
    bool Worse)
{
    public bool IsRegression => Significant && Worse;
    public bool IsImprovement => Significant && !Worse;
}

/// <summary>Which side is which, as the gate's table prints them.</summary>
public sealed record GateSide(string Label, string? ServerVersion);

/// <summary>The gate's verdict for one profile.</summary>
public sealed record GateResult
{
    public const int Passed = 0;
    public const int Regressed = 1;
    public const int CouldNotRun = 2;

    public required string Profile { get; init; }
    public required GateSide Baseline { get; init; }
    public required GateSide Candidate { get; init; }
    public required GateOptions Options { get; init; }
    public IReadOnlyList<CheckComparison> Checks { get; init; } = [];
    public IReadOnlyList<TaskComparison> Tasks { get; init; } = [];
    public IReadOnlyList<MetricComparison> Metrics { get; init; } = [];

    public IReadOnlyList<CheckComparison> CheckRegressions => Checks.Where(c => c.Change == ChangeKind.Regression).ToList();
    public IReadOnlyList<CheckComparison> CheckFixes => Checks.Where(c => c.Change == ChangeKind.Fix).ToList();
    public IReadOnlyList<TaskComparison> TaskRegressions => Tasks.Where(t => t.Change == ChangeKind.Regression).ToList();
    public IReadOnlyList<TaskComparison> TaskFixes => Tasks.Where(t => t.Change == ChangeKind.Fix).ToList();
    /// <summary>Slowdowns beyond the threshold; they fail the gate unless <see cref="GateOptions.PerformanceFails"/> is off.</summary>
    public IReadOnlyList<MetricComparison> PerformanceRegressions => Metrics.Where(m => m.IsRegression).ToList();

    public int RegressionCount =>
        CheckRegressions.Count + TaskRegressions.Count + (Options.PerformanceFails ? PerformanceRegressions.Count : 0);

    public int ExitCode => RegressionCount > 0 ? Regressed : Passed;
}

/// <summary>How strict the gate is.</summary>
/// <param name="RelativeThresholds">Metric name → relative threshold, replacing the catalog's default for that metric.</param>
/// <param name="PerformanceFails">A slowdown beyond the threshold fails the gate (exit 1); off: it is only reported.</param>
public sealed record GateOptions(IReadOnlyDictionary<string, double>? RelativeThresholds = null, bool PerformanceFails = true)
{
    public static GateOptions Default { get; } = new();

    public double? RelativeThreshold(MetricDefinition metric) =>
        RelativeThresholds is not null && RelativeThresholds.TryGetValue(metric.Name, out var t) ? t : metric.GateRelativeThreshold;
}
