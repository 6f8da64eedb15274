using LocalClaude.Reporting;
using LocalClaude.Results;
using static LocalClaude.Tests.Reporting.Samples;

namespace LocalClaude.Tests.Reporting;

public sealed class GateTests
{
    private static ProfileSnapshot Side(string label, IReadOnlyList<CheckResult> checks, Dictionary<string, double>? metrics = null, params TaskTrial[] trials)
    {
        List<LoadedResultFile> files = [ConformanceResult("p", checks, metrics)];
        if (trials.Length > 0) files.Add(E2EResult("p", trials));
        return ProfileSnapshot.FromResults("p", label, files);
    }

    [Theory]
    [InlineData(CheckOutcome.Pass, CheckOutcome.Fail, ChangeKind.Regression)]
    [InlineData(CheckOutcome.KnownDeviation, CheckOutcome.Fail, ChangeKind.Regression)]
    [InlineData(CheckOutcome.NotApplicable, CheckOutcome.Fail, ChangeKind.Regression)]
    [InlineData(CheckOutcome.Fail, CheckOutcome.Pass, ChangeKind.Fix)]
    [InlineData(CheckOutcome.Fail, CheckOutcome.KnownDeviation, ChangeKind.Fix)]
    [InlineData(CheckOutcome.Pass, CheckOutcome.Pass, ChangeKind.Unchanged)]
    [InlineData(CheckOutcome.Fail, CheckOutcome.Fail, ChangeKind.Unchanged)]
    [InlineData(CheckOutcome.Pass, CheckOutcome.KnownDeviation, ChangeKind.Changed)]
    [InlineData(CheckOutcome.Pass, null, ChangeKind.Regression)]
    [InlineData(CheckOutcome.Fail, null, ChangeKind.NotCompared)]
    [InlineData(null, CheckOutcome.Fail, ChangeKind.NotCompared)]
    public void Outcome_pairs_are_classified(CheckOutcome? baseline, CheckOutcome? candidate, ChangeKind expected) =>
        Assert.Equal(expected, Gate.Classify(baseline, candidate));

    [Fact]
    public void A_new_failure_fails_the_gate_and_fixes_alone_do_not()
    {
        var baseline = Side("B", [Check("a", CheckOutcome.Pass), Check("b", CheckOutcome.Fail), Check("c", CheckOutcome.Pass)]);
        var regressed = Gate.Compare(baseline, Side("C", [Check("a", CheckOutcome.Fail), Check("b", CheckOutcome.Pass), Check("c", CheckOutcome.Pass)]));
        var fixedOnly = Gate.Compare(baseline, Side("C", [Check("a", CheckOutcome.Pass), Check("b", CheckOutcome.Pass), Check("c", CheckOutcome.Pass)]));

        Assert.Equal(["a"], regressed.CheckRegressions.Select(c => c.Id));
        Assert.Equal(["b"], regressed.CheckFixes.Select(c => c.Id));
        Assert.Equal(GateResult.Regressed, regressed.ExitCode);
        Assert.Equal(GateResult.Passed, fixedOnly.ExitCode);
        Assert.Equal(["b"], fixedOnly.CheckFixes.Select(c => c.Id));
        Assert.Equal(2, fixedOnly.Checks.Count(c => c.Change == ChangeKind.Unchanged));
    }

    [Fact]
    public void Tasks_regress_when_every_trial_fails_where_one_passed_before()
    {
        var baseline = Side("B", [Check("a", CheckOutcome.Pass)], null,
            Trial("t1", 1, true), Trial("t1", 2, false), Trial("t2", 1, false), Trial("t3", 1, true), Trial("t3", 2, true));
        var candidate = Side("C", [Check("a", CheckOutcome.Pass)], null,
            Trial("t1", 1, false), Trial("t1", 2, false), Trial("t2", 1, true), Trial("t3", 1, true), Trial("t3", 2, false));

        var gate = Gate.Compare(baseline, candidate);

        Assert.Equal(ChangeKind.Regression, gate.Tasks.Single(t => t.Task == "t1").Change);
        Assert.Equal(ChangeKind.Fix, gate.Tasks.Single(t => t.Task == "t2").Change);
        Assert.Equal(ChangeKind.Changed, gate.Tasks.Single(t => t.Task == "t3").Change);
        Assert.Equal(1, gate.RegressionCount);
    }

    [Theory]
    // TTFB: 25% and 50 ms both have to be exceeded.
    [InlineData(2.0, 2.4, 100, 100, false)]
    [InlineData(2.0, 2.6, 100, 100, true)]
    [InlineData(0.010, 0.030, 100, 100, false)]
    // Decode speed: 15% and 1 tok/s.
    [InlineData(2.0, 2.0, 100, 90, false)]
    [InlineData(2.0, 2.0, 100, 80, true)]
    [InlineData(2.0, 2.0, 100, 150, false)]
    [InlineData(2.0, 1.0, 100, 100, false)]
    public void Performance_regresses_only_beyond_both_thresholds_and_in_the_wrong_direction(
        double ttfbBefore, double ttfbAfter, double decodeBefore, double decodeAfter, bool regressed)
    {
        var gate = Gate.Compare(
            Side("B", [Check("a", CheckOutcome.Pass)], Perf(ttfbBefore, 0.1, decodeBefore)),
            Side("C", [Check("a", CheckOutcome.Pass)], Perf(ttfbAfter, 0.1, decodeAfter)));

        Assert.Equal(regressed, gate.PerformanceRegressions.Count > 0);
        Assert.Equal(regressed ? GateResult.Regressed : GateResult.Passed, gate.ExitCode);
    }

    [Fact]
    public void An_improvement_is_significant_but_not_a_regression()
    {
        var gate = Gate.Compare(
            Side("B", [Check("a", CheckOutcome.Pass)], Perf(2.0, 0.1, 100)),
            Side("C", [Check("a", CheckOutcome.Pass)], Perf(1.0, 0.1, 100)));
        var ttfb = gate.Metrics.Single(m => m.Metric == ReportMetrics.LongPromptTtfbCold.Name);
        Assert.True(ttfb.IsImprovement);
        Assert.Equal(-0.5, ttfb.RelativeChange);
        Assert.Equal(GateResult.Passed, gate.ExitCode);
    }

    [Fact]
    public void Advisory_performance_is_reported_without_failing_and_thresholds_can_be_tightened()
    {
        var baseline = Side("B", [Check("a", CheckOutcome.Pass)], Perf(2.0, 0.1, 100));
        var candidate = Side("C", [Check("a", CheckOutcome.Pass)], Perf(2.0, 0.1, 90));

        var advisory = Gate.Compare(baseline, Side("C", [Check("a", CheckOutcome.Pass)], Perf(2.0, 0.1, 50)), new GateOptions(PerformanceFails: false));
        Assert.Single(advisory.PerformanceRegressions);
        Assert.Equal(GateResult.Passed, advisory.ExitCode);

        Assert.Equal(GateResult.Passed, Gate.Compare(baseline, candidate).ExitCode);
        var strict = new GateOptions(new Dictionary<string, double> { [ReportMetrics.DecodeTokensPerSecond.Name] = 0.05 });
        Assert.Equal(GateResult.Regressed, Gate.Compare(baseline, candidate, strict).ExitCode);
    }

    [Fact]
    public void A_snapshot_read_back_from_report_json_compares_like_the_result_files_it_came_from()
    {
        List<LoadedResultFile> files =
        [
            ConformanceResult("p", [Check("a", CheckOutcome.Pass), Check("b", CheckOutcome.KnownDeviation)], Perf(2.0, 0.1, 100)),
            E2EResult("p", Trial("t", 1, true), Trial("t", 2, false)),
        ];
        var fromFiles = ProfileSnapshot.FromResults("p", "files", files);
        var report = CompatibilityReport.Parse(Report(Night, [.. files]).ToJson(), "report.json");
        var fromReport = ProfileSnapshot.FromReport(report, "p", "report");

        Assert.Equal(fromFiles.Checks, fromReport.Checks);
        Assert.Equal(fromFiles.Tasks, fromReport.Tasks);
        Assert.Equal(fromFiles.Metrics, fromReport.Metrics);
        Assert.All(Gate.Compare(fromFiles, fromReport).Checks, c => Assert.Equal(ChangeKind.Unchanged, c.Change));
    }

    [Fact]
    public void Profiles_must_match()
    {
        var a = ProfileSnapshot.FromResults("a", "B", [ConformanceResult("a", [Check("x", CheckOutcome.Pass)])]);
        var b = ProfileSnapshot.FromResults("b", "C", [ConformanceResult("b", [Check("x", CheckOutcome.Pass)])]);
        Assert.Throws<ArgumentException>(() => Gate.Compare(a, b));
    }

    [Fact]
    public void The_table_states_the_exit_code_and_lists_each_regression()
    {
        var gate = Gate.Compare(
            Side("npm:3.21.1", [Check("stream.order", CheckOutcome.Pass, reason: "fine")], Perf(2.0, 0.1, 100)),
            Side("npm:3.22.1", [Check("stream.order", CheckOutcome.Fail, reason: "block 1 | started early")], Perf(2.0, 0.1, 50)));

        var md = GateMarkdown.Render(gate);

        Assert.StartsWith("# Gate · p · FAIL: 2 regression(s) (exit 1)", md);
        Assert.Contains("| `conformance/stream.order` | pass | fail | block 1 \\| started early |", md);
        Assert.Contains("**slower (regression)**", md);
        Assert.Contains("`npm:3.22.1`", md);
    }
}
