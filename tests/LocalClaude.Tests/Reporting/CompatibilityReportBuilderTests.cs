using LocalClaude.Reporting;
using LocalClaude.Results;
using static LocalClaude.Tests.Reporting.Samples;

namespace LocalClaude.Tests.Reporting;

public sealed class CompatibilityReportBuilderTests
{
    [Fact]
    public void Feature_matrix_has_one_row_per_check_and_a_cell_per_profile_that_ran_it()
    {
        var report = Report(Night,
            ConformanceResult("a", [Check("stream.order", CheckOutcome.Pass), Check("errors.shape", CheckOutcome.KnownDeviation, area: "errors")]),
            ConformanceResult("b", [Check("stream.order", CheckOutcome.Fail), Check("thinking.blocks", CheckOutcome.NotApplicable, area: "thinking")]));

        report.Profiles.Select(p => p.Name).Should().Equal(["a", "b"]);
        report.Features.Select(r => r.Id).Should().Equal(["stream.order", "errors.shape", "thinking.blocks"]);
        var order = report.Features[0];
        order.Cells["a"].Outcome.Should().Be(CheckOutcome.Pass);
        order.Cells["b"].Outcome.Should().Be(CheckOutcome.Fail);
        report.Features[1].Cells.ContainsKey("b").Should().BeFalse();
        report.Features[2].Cells.ContainsKey("a").Should().BeFalse();
        report.Profiles[0].Checks.Should().Be(new OutcomeCounts(1, 0, 1, 0));
        report.Profiles[1].Checks.Should().Be(new OutcomeCounts(0, 1, 0, 1));
    }

    [Fact]
    public void Replay_verdicts_join_the_feature_matrix_and_e2e_verdicts_do_not()
    {
        var e2e = E2EResult("a", Trial("fix-bug", 1, true)) with { };
        var e2eWithCheck = new LoadedResultFile(e2e.File with { Checks = [Check("task.fix-bug", CheckOutcome.Pass)] }, null);
        var report = Report(Night,
            ConformanceResult("a", [Check("stream.order", CheckOutcome.Pass)]),
            ReplayResult("a", [Check("session-1", CheckOutcome.Fail, area: "replay")], []),
            e2eWithCheck);

        report.Features.Select(r => (r.Kind, r.Id)).Should().Equal([("conformance", "stream.order"), ("replay", "session-1")]);
        report.Profiles[0].Kinds.Should().Equal(["conformance", "replay", "e2e"]);
    }

    [Fact]
    public void Capability_cells_count_trials_and_leave_control_backends_out()
    {
        var report = Report(Night, E2EResult("a",
            Trial("fix-bug", 1, true, wall: 30), Trial("fix-bug", 2, false, wall: 50, failure: "timeout"), Trial("fix-bug", 3, false, wall: 40),
            Trial("fix-bug", 4, true, wall: 1, control: "oracle"),
            Trial("rename", 1, false, wall: 5)));

        var fix = report.Capabilities.Single(r => r.Task == "fix-bug").Cells["a"];
        (((int, int, int))((fix.Trials, fix.Passes, fix.K))).Should().Be((3, 1, 3));
        Assert.Equal(1.0 / 3, fix.PassAt1, 9);
        fix.PassAtK.Should().Be(1.0);
        fix.MedianWallSeconds.Should().Be(40);
        fix.FailureKinds.Should().Equal(new Dictionary<string, int> { ["checker-failed"] = 1, ["timeout"] = 1 });
        report.Capabilities.Single(r => r.Task == "rename").Cells["a"].PassAtK.Should().Be(0);
        Assert.Equal((1.0 / 3 + 0) / 2, report.Profiles[0].TaskPassAt1!.Value, 9);
    }

    [Fact]
    public void File_metrics_win_over_check_metrics_which_fill_the_gaps()
    {
        var fileMetrics = Perf(2.0, 0.1, 130);
        var checkMetrics = new Dictionary<string, double>
        {
            [ReportMetrics.DecodeTokensPerSecond.Name] = 999,
            [ReportMetrics.MainBesideTitle(2).Name] = 3.5,
        };
        var report = Report(Night, ConformanceResult("a", [Check("concurrency.pair", CheckOutcome.Pass, metrics: checkMetrics)], fileMetrics));

        var perf = report.Performance.Single();
        perf.Get(ReportMetrics.DecodeTokensPerSecond).Should().Be(130);
        perf.Get(ReportMetrics.MainBesideTitle(2)).Should().Be(3.5);
        perf.Get(ReportMetrics.LongPromptTtfbCold).Should().Be(2.0);
    }

    [Theory]
    [InlineData(new[] { "-m", "x.gguf", "-np", "2" }, 2)]
    [InlineData(new[] { "--parallel", "4" }, 4)]
    [InlineData(new[] { "--parallel=3" }, 3)]
    [InlineData(new[] { "-c", "32768" }, null)]
    [InlineData(new[] { "-np" }, null)]
    public void Parallel_slots_come_from_the_server_arguments(string[] arguments, int? expected) =>
        CompatibilityReportBuilder.ParallelSlotsFromArguments(arguments).Should().Be(expected);

    [Fact]
    public void The_profile_column_shows_the_slots_its_server_ran_with()
    {
        var report = Report(Night, ConformanceResult("a", [Check("x", CheckOutcome.Pass)], run: Run("a", arguments: ["-c", "65536", "-np", "2"])));
        report.Profiles[0].ParallelSlots.Should().Be(2);
    }

    [Fact]
    public void Cache_reuse_is_the_share_of_prompt_tokens_read_from_the_cache_per_session()
    {
        var report = Report(Night, ReplayResult("a", [], [
            Request("s1", 0, input: 1000, cacheRead: 0, share: null, ttfb: 2.0),
            Request("s1", 1, input: 100, cacheRead: 900, share: 0.9, ttfb: 0.2),
            Request("s1", 2, input: 50, cacheRead: 950, share: 0.95, ttfb: 0.1),
            Request("s2", 0, input: null, cacheRead: null, share: null, ttfb: null),
        ]));

        var s1 = report.CacheReuse.Single(r => r.Session == "s1");
        (((int, int, int))((s1.Requests, s1.CacheReadTokens, s1.PromptTokens))).Should().Be((3, 1850, 3000));
        Assert.Equal(1850.0 / 3000, s1.TokenShare!.Value, 9);
        Assert.Equal(0.925, s1.MeanTurnShare!.Value, 9);
        s1.MedianTtfbSeconds.Should().Be(0.2);
        var s2 = report.CacheReuse.Single(r => r.Session == "s2");
        s2.TokenShare.Should().BeNull();
        s2.MedianTtfbSeconds.Should().BeNull();
    }

    [Fact]
    public void Trends_run_oldest_first_and_the_changes_since_the_previous_report_are_a_gate()
    {
        var older = Report(Night.AddDays(-2), ConformanceResult("a", [Check("x", CheckOutcome.Fail), Check("y", CheckOutcome.Pass)], Perf(2, 0.1, 100)));
        var previous = Report(Night.AddDays(-1), ConformanceResult("a", [Check("x", CheckOutcome.Pass), Check("y", CheckOutcome.Fail)], Perf(2, 0.1, 100)));
        var current = CompatibilityReportBuilder.Build(
            [ConformanceResult("a", [Check("x", CheckOutcome.Fail), Check("y", CheckOutcome.Pass)], Perf(2, 0.1, 50))],
            Night, earlier: [previous, older]);

        current.Trends.Select(t => t.GeneratedAt).Should().Equal([Night.AddDays(-2), Night.AddDays(-1), Night]);
        current.Trends.Select(t => t.Profiles.Single().Checks.Pass).Should().Equal([1, 1, 1]);
        current.Trends.Select(t => t.Profiles.Single().DecodeTokensPerSecond!.Value).Should().Equal([100.0, 100.0, 50.0]);
        var since = current.SincePrevious!;
        Assert.Equal(Night.AddDays(-1), since.PreviousGeneratedAt);
        var changes = since.Profiles.Single();
        changes.NewFailures.Should().Equal(["conformance/x"]);
        changes.Fixes.Should().Equal(["conformance/y"]);
        // One sample a night: the halving is shown, with n, but no verdict is drawn from it.
        changes.PerformanceChanges.Should().Contain(c => c.StartsWith(ReportMetrics.DecodeTokensPerSecond.Name) && c.Contains("(n=1)") && c.Contains("inconclusive: too few samples"));
    }

    [Fact]
    public void A_report_later_than_this_one_is_not_history()
    {
        var future = Report(Night.AddDays(1), ConformanceResult("a", [Check("x", CheckOutcome.Pass)]));
        var report = CompatibilityReportBuilder.Build([ConformanceResult("a", [Check("x", CheckOutcome.Pass)])], Night, earlier: [future]);
        report.Trends.Should().ContainSingle();
        report.SincePrevious.Should().BeNull();
    }

    [Fact]
    public void Versions_come_from_the_runs_and_differing_builds_within_a_profile_are_a_warning()
    {
        var conformance = ConformanceResult("a", [Check("x", CheckOutcome.Pass)]);
        var e2e = new LoadedResultFile(E2EResult("a", Trial("t", 1, true)).File with { Run = Run("a", version: "0.4.0 (build 9, commit 1234567)") }, null);
        var report = Report(Night, conformance, e2e);

        var column = report.Profiles.Single();
        column.ServerVersion.Should().Be("0.5.0-dev (build 1, commit de3ff81)");
        column.ClaudeCodeVersion.Should().Be("2.1.3");
        column.ServerCommit.Should().Be("de3ff81");
        report.Warnings.Should().Contain(w => w.Contains("different llama-server builds") && w.Contains("0.4.0"));
    }

    [Fact]
    public void Report_json_round_trips_with_its_schema_version()
    {
        var report = CompatibilityReportBuilder.Build(
            [
                ConformanceResult("a", [Check("x", CheckOutcome.KnownDeviation, evidence: new Evidence { Request = "{}", Response = "<b>", Status = 500, Route = "prefill" })], Perf(2, 0.1, 120)),
                ReplayResult("a", [Check("s1", CheckOutcome.Pass, area: "replay")], [Request("s1", 0, 10, 0, null), Request("s1", 1, 1, 9, 0.9)]),
                E2EResult("a", Trial("t", 1, false)),
            ],
            Night, earlier: [Report(Night.AddDays(-1), ConformanceResult("a", [Check("x", CheckOutcome.Pass)]))]);

        var json = report.ToJson();
        var loaded = CompatibilityReport.Parse(json, "test");

        loaded.ToJson().Should().Be(json);
        json.Should().Contain("\"schema\": 2");
        json.Should().Contain("\"outcome\": \"known-deviation\"");
    }

    [Fact]
    public void A_newer_report_schema_is_refused()
    {
        var json = Report(Night, ConformanceResult("a", [Check("x", CheckOutcome.Pass)])).ToJson().Replace("\"schema\": 2", "\"schema\": 99");
        var e = FluentActions.Invoking(() => CompatibilityReport.Parse(json, "r.json")).Should().ThrowExactly<InvalidDataException>().Which;
        e.Message.Should().Contain("newer");
    }
}
