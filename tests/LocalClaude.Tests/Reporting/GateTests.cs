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
        Gate.Classify(baseline, candidate).Should().Be(expected);

    [Fact]
    public void A_new_failure_fails_the_gate_and_fixes_alone_do_not()
    {
        var baseline = Side("B", [Check("a", CheckOutcome.Pass), Check("b", CheckOutcome.Fail), Check("c", CheckOutcome.Pass)]);
        var regressed = Gate.Compare(baseline, Side("C", [Check("a", CheckOutcome.Fail), Check("b", CheckOutcome.Pass), Check("c", CheckOutcome.Pass)]));
        var fixedOnly = Gate.Compare(baseline, Side("C", [Check("a", CheckOutcome.Pass), Check("b", CheckOutcome.Pass), Check("c", CheckOutcome.Pass)]));

        regressed.CheckRegressions.Select(c => c.Id).Should().Equal(["a"]);
        regressed.CheckFixes.Select(c => c.Id).Should().Equal(["b"]);
        regressed.ExitCode.Should().Be(GateResult.Regressed);
        fixedOnly.ExitCode.Should().Be(GateResult.Passed);
        fixedOnly.CheckFixes.Select(c => c.Id).Should().Equal(["b"]);
        fixedOnly.Checks.Count(c => c.Change == ChangeKind.Unchanged).Should().Be(2);
    }

    [Fact]
    public void Tasks_regress_when_every_trial_fails_where_one_passed_before()
    {
        var baseline = Side("B", [Check("a", CheckOutcome.Pass)], null,
            Trial("t1", 1, true), Trial("t1", 2, false), Trial("t2", 1, false), Trial("t3", 1, true), Trial("t3", 2, true));
        var candidate = Side("C", [Check("a", CheckOutcome.Pass)], null,
            Trial("t1", 1, false), Trial("t1", 2, false), Trial("t2", 1, true), Trial("t3", 1, true), Trial("t3", 2, false));

        var gate = Gate.Compare(baseline, candidate);

        gate.Tasks.Single(t => t.Task == "t1").Change.Should().Be(ChangeKind.Regression);
        gate.Tasks.Single(t => t.Task == "t2").Change.Should().Be(ChangeKind.Fix);
        gate.Tasks.Single(t => t.Task == "t3").Change.Should().Be(ChangeKind.Changed);
        gate.RegressionCount.Should().Be(1);
    }

    /// <summary>Five pairs per metric around the given values, with ±1% of machine noise, order alternating.</summary>
    private static IReadOnlyList<PairedMetricSamples> Paired(double ttfbBefore, double ttfbAfter, double decodeBefore, double decodeAfter)
    {
        double[] noise = [1.0, 1.01, 0.99, 1.005, 0.995];
        PairedMetricSamples Metric(MetricDefinition m, double b, double c) => new(m.Name,
            noise.Select((n, i) => new PairedSample(i + 1, b * n, c * noise[(i + 2) % noise.Length], i % 2 == 0)).ToList());
        return [Metric(ReportMetrics.LongPromptTtfbCold, ttfbBefore, ttfbAfter), Metric(ReportMetrics.DecodeTokensPerSecond, decodeBefore, decodeAfter)];
    }

    private static ProfileSnapshot Plain(string label) => Side(label, [Check("a", CheckOutcome.Pass)]);

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
    public void Paired_performance_regresses_only_beyond_both_thresholds_and_in_the_wrong_direction(
        double ttfbBefore, double ttfbAfter, double decodeBefore, double decodeAfter, bool regressed)
    {
        var gate = Gate.Compare(Plain("B"), Plain("C"), null, Paired(ttfbBefore, ttfbAfter, decodeBefore, decodeAfter));

        (gate.PerformanceRegressions.Count > 0).Should().Be(regressed);
        gate.ExitCode.Should().Be(regressed ? GateResult.Regressed : GateResult.Passed);
        Assert.All(gate.Metrics, m => (m.Paired && m.BaselineSpread!.N == 5).Should().BeTrue());
    }

    [Fact]
    public void Single_samples_of_two_runs_never_fail_the_gate_on_speed_unless_strict()
    {
        // What users saw: one run of each side, the machine busy during one of them.
        var baseline = Side("B", [Check("a", CheckOutcome.Pass)], Perf(2.0, 0.1, 100));
        var candidate = Side("C", [Check("a", CheckOutcome.Pass)], Perf(0.7, 0.1, 1907));
        var slower = Side("C", [Check("a", CheckOutcome.Pass)], Perf(2.0, 0.1, 50));

        var gate = Gate.Compare(baseline, candidate);
        Assert.All(gate.Metrics.Where(m => m.Metric != ReportMetrics.LongPromptTtfbWarm.Name), m => m.Verdict.Should().Be(PairedVerdict.Inconclusive));
        Gate.Compare(baseline, slower).ExitCode.Should().Be(GateResult.Passed);
        GateMarkdown.Render(Gate.Compare(baseline, slower)).Should().Contain("inconclusive (noisy): too few samples");
        Gate.Compare(baseline, slower, new GateOptions(Strict: true)).ExitCode.Should().Be(GateResult.Regressed);
    }

    /// <summary>
    /// A/A: the same build on both sides, a CPU hog on one core from the middle of round 2 to the end of round 3
    /// (decode tok/s and cold TTFB shaped like this machine's: ~1500 tok/s and ~2 s idle, about half under the hog).
    /// </summary>
    [Fact]
    public void An_aa_gate_with_a_cpu_hog_for_part_of_the_run_says_no_change_or_inconclusive_where_a_sequential_one_regressed()
    {
        double[] idleDecode = [1512, 1490, 1530, 1475, 1505], hogDecode = [760, 820, 700, 790, 745];
        double[] idleTtfb = [2.01, 1.97, 2.05, 1.99, 2.02], hogTtfb = [3.9, 4.3, 3.7, 4.1, 4.0];
        // In turn: round 1 idle; round 2 the hog starts after the first side; round 3 it hits both; rounds 4-5 idle.
        IReadOnlyList<PairedSample> InTurn(double[] idle, double[] hog) =>
        [
            new(1, idle[0], idle[1], true),
            new(2, hog[0], idle[2], false),   // candidate first (idle), then the baseline under the hog
            new(3, hog[1], hog[2], true),
            new(4, idle[3], idle[4], false),
            new(5, idle[1], idle[0], true),
        ];
        var pairs = new[]
        {
            new PairedMetricSamples(ReportMetrics.DecodeTokensPerSecond.Name, InTurn(idleDecode, hogDecode)),
            new PairedMetricSamples(ReportMetrics.LongPromptTtfbCold.Name, InTurn(idleTtfb, hogTtfb)),
        };

        var paired = Gate.Compare(Plain("same"), Plain("same"), null, pairs);
        Assert.All(paired.Metrics, m => (new[] { PairedVerdict.NoChange, PairedVerdict.Inconclusive }).Should().Contain(m.Verdict));
        paired.ExitCode.Should().Be(GateResult.Passed);
        Gate.Compare(Plain("same"), Plain("same"), new GateOptions(Strict: true), pairs).ExitCode.Should().Be(GateResult.Passed);

        // The old way: baseline phase idle, candidate phase under the hog, five samples each. A "regression" that is the hog.
        ProfileSnapshot Phase(string label, double[] decode, double[] ttfb) => Plain(label) with
        {
            MetricSamples = new Dictionary<string, IReadOnlyList<double>>
            {
                [ReportMetrics.DecodeTokensPerSecond.Name] = decode,
                [ReportMetrics.LongPromptTtfbCold.Name] = ttfb,
            },
            Metrics = new Dictionary<string, double> { [ReportMetrics.DecodeTokensPerSecond.Name] = decode[0], [ReportMetrics.LongPromptTtfbCold.Name] = ttfb[0] },
        };
        var sequential = Gate.Compare(Phase("same", idleDecode, idleTtfb), Phase("same", hogDecode, hogTtfb));
        sequential.ExitCode.Should().Be(GateResult.Regressed);
    }

    [Fact]
    public void An_improvement_is_significant_but_not_a_regression()
    {
        var gate = Gate.Compare(Plain("B"), Plain("C"), null, Paired(2.0, 1.0, 100, 100));
        var ttfb = gate.Metrics.Single(m => m.Metric == ReportMetrics.LongPromptTtfbCold.Name);
        ttfb.IsImprovement.Should().BeTrue();
        Assert.Equal(-0.5, ttfb.RelativeChange!.Value, 2);
        gate.ExitCode.Should().Be(GateResult.Passed);
    }

    [Fact]
    public void Advisory_performance_is_reported_without_failing_and_thresholds_can_be_tightened()
    {
        var advisory = Gate.Compare(Plain("B"), Plain("C"), new GateOptions(PerformanceFails: false), Paired(2.0, 2.0, 100, 50));
        advisory.PerformanceRegressions.Should().ContainSingle();
        advisory.ExitCode.Should().Be(GateResult.Passed);

        var tenPercent = Paired(2.0, 2.0, 100, 90);
        Gate.Compare(Plain("B"), Plain("C"), null, tenPercent).ExitCode.Should().Be(GateResult.Passed);
        var tighter = new GateOptions(new Dictionary<string, double> { [ReportMetrics.DecodeTokensPerSecond.Name] = 0.05 });
        Gate.Compare(Plain("B"), Plain("C"), tighter, tenPercent).ExitCode.Should().Be(GateResult.Regressed);
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

        fromReport.Checks.Should().Equal(fromFiles.Checks);
        static object Task(TaskState t) => (t.Task, t.Trials, t.Passes, string.Join(",", t.FailureKinds!.Select(k => $"{k.Key}={k.Value}")), t.StatusApiErrors);
        fromReport.Tasks.Select(Task).Should().Equal(fromFiles.Tasks.Select(Task));
        fromReport.Metrics.Should().Equal(fromFiles.Metrics);
        Assert.All(Gate.Compare(fromFiles, fromReport).Checks, c => c.Change.Should().Be(ChangeKind.Unchanged));
    }

    [Fact]
    public void Profiles_must_match()
    {
        var a = ProfileSnapshot.FromResults("a", "B", [ConformanceResult("a", [Check("x", CheckOutcome.Pass)])]);
        var b = ProfileSnapshot.FromResults("b", "C", [ConformanceResult("b", [Check("x", CheckOutcome.Pass)])]);
        FluentActions.Invoking(() => Gate.Compare(a, b)).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void The_table_states_the_exit_code_and_lists_each_regression()
    {
        var gate = Gate.Compare(
            Side("npm:3.21.1", [Check("stream.order", CheckOutcome.Pass, reason: "fine")]),
            Side("npm:3.22.1", [Check("stream.order", CheckOutcome.Fail, reason: "block 1 | started early")]), null, Paired(2.0, 2.0, 100, 50));

        var md = GateMarkdown.Render(gate);

        md.Should().StartWith("# Gate · p · FAIL: 2 regression(s) (exit 1)");
        md.Should().Contain("| `conformance/stream.order` | pass | fail | block 1 \\| started early |");
        md.Should().Contain("**slower (regression)**");
        md.Should().Contain("(n=5, ");
        md.Should().Contain("Both builds measured in turn (5 rounds");
        md.Should().Contain("`npm:3.22.1`");
    }
}

/// <summary>The E2E half of the gate on CPU, where every task fails on random weights and the failure kind is the only signal.</summary>
public sealed class GateE2EFailureTests
{
    private const string SchemaError =
        "{\"error\":{\"code\":400,\"message\":\"JSON schema conversion failed: Unrecognized schema: {\\\"not\\\":{}}\",\"type\":\"invalid_request_error\"}}";

    private static readonly string[] Tasks = ["answer-port", "csv-to-json", "rename-function"];

    /// <summary>b8095 refuses Claude Code's tool schemas: every trial ends on HTTP 400.</summary>
    private static TaskTrial B8095(string task) => Trial(task, 1, false, failure: "api-error") with
    {
        ApiErrors = 1,
        Rejections = [new RejectedRequest(400, SchemaError)],
    };

    /// <summary>v0.5.0 accepts them; random weights then make no tool call (and one lost connection, retried, here and there).</summary>
    private static TaskTrial V050(string task, int retries) => Trial(task, 1, false, failure: "no-tool-call") with { ApiErrors = retries, ConnectionRetries = retries };

    private static ProfileSnapshot Side(string label, IEnumerable<TaskTrial> trials) =>
        ProfileSnapshot.FromResults("cpu-tiny", label, [E2EResult("cpu-tiny", [.. trials])]);

    [Fact]
    public void Failures_moving_off_server_rejections_are_fixes_and_onto_them_regressions_with_the_servers_words()
    {
        var b8095 = Side("npm:3.16.0", Tasks.Select(B8095));
        var v050 = Side("default", Tasks.Select((t, i) => V050(t, i % 2)));

        var upgrade = Gate.Compare(b8095, v050);
        Assert.All(upgrade.Tasks, t => t.Change.Should().Be(ChangeKind.Fix));
        upgrade.ExitCode.Should().Be(GateResult.Passed);

        var downgrade = Gate.Compare(v050, b8095);
        Assert.All(downgrade.Tasks, t => t.Change.Should().Be(ChangeKind.Regression));
        downgrade.ExitCode.Should().Be(GateResult.Regressed);
        var md = GateMarkdown.Render(downgrade);
        md.Should().Contain("- Tasks: 3 regressed, 0 fixed");
        md.Should().Contain("| `task/answer-port` | 0/1 passed; no-tool-call ×1 | 0/1 passed; api-error ×1; 1 API error(s) | candidate: HTTP 400 ");
        md.Should().Contain("JSON schema conversion failed");
    }

    [Fact]
    public void More_api_errors_with_a_status_regress_a_failing_task_and_lost_connections_alone_do_not()
    {
        var before = Side("B", [Trial("t", 1, false, failure: "no-tool-call")]);
        var errors = Side("C", [Trial("t", 1, false, failure: "no-tool-call") with { ApiErrors = 2, Rejections = [new RejectedRequest(500, "boom")] }]);
        var retries = Side("C", [Trial("t", 1, false, failure: "no-tool-call") with { ApiErrors = 2, ConnectionRetries = 2 }]);
        var otherKind = Side("C", [Trial("t", 1, false, failure: "malformed-tool-call")]);

        Gate.Compare(before, errors).Tasks.Single().Change.Should().Be(ChangeKind.Regression);
        Gate.Compare(errors, before).Tasks.Single().Change.Should().Be(ChangeKind.Fix);
        Gate.Compare(before, retries).Tasks.Single().Change.Should().Be(ChangeKind.Unchanged);
        Gate.Compare(before, otherKind).Tasks.Single().Change.Should().Be(ChangeKind.Changed);
    }

    [Fact]
    public void The_committed_v040_to_v050_gate_demo_reads_back_and_its_tasks_leaving_api_errors_are_fixes()
    {
        // Real result files (schema 1) from reports/gate-demo: v0.4.0 answers Claude Code's system blocks with HTTP 500.
        var demo = Path.Combine(LocalClaude.Infrastructure.RepoLayout.Find(AppContext.BaseDirectory).Root, "reports", "gate-demo");
        var v040 = ProfileSnapshot.FromResults("cpu-tiny", "npm:3.21.1", ResultFileSet.Load([Path.Combine(demo, "baseline")]).Files);
        var v050 = ProfileSnapshot.FromResults("cpu-tiny", "default", ResultFileSet.Load([Path.Combine(demo, "candidate")]).Files);

        var upgrade = Gate.Compare(v040, v050);
        upgrade.TaskFixes.Count.Should().Be(15);
        upgrade.TaskRegressions.Should().BeEmpty();
        upgrade.ExitCode.Should().Be(GateResult.Passed);
        Gate.Compare(v050, v040).TaskRegressions.Count.Should().Be(15);
    }
}
