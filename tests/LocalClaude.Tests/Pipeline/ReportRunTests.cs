using LocalClaude.Infrastructure;
using LocalClaude.Pipeline;
using LocalClaude.Reporting;
using LocalClaude.Results;
using LocalClaude.Tests.Support;
using static LocalClaude.Tests.Reporting.Samples;

namespace LocalClaude.Tests.Pipeline;

public sealed class ReportRunTests
{
    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static FakeProducer ConformanceProducer(Func<string, CheckOutcome> outcome) => FakeProducer.Returning("conformance", (p, _) => new ResultFile
    {
        Kind = "conformance",
        Run = Run(p.Name),
        Checks = [Check("stream.order", outcome(p.Name))],
        Metrics = Perf(2.0, 0.1, 120),
    });

    private static ReportRequest Request(TempDirectory dir, params string[] profiles) => new()
    {
        OutputDirectory = dir.Combine("reports"),
        Profiles = profiles.Select(FakeProducer.Profile).ToList(),
    };

    [Fact]
    public async Task Each_report_replaces_the_three_files_and_keeps_a_snapshot_with_its_results()
    {
        using var dir = new TempDirectory();
        var clock = new SteppingClock(Night);
        var ct = TestContext.Current.CancellationToken;
        var log = new StringWriter();
        var first = await new ReportRun([ConformanceProducer(_ => CheckOutcome.Pass)], new ProgressLog(log), clock).RunAsync(Request(dir, "a", "b"), ct);
        clock.Now = Night.AddDays(1);
        var second = await new ReportRun([ConformanceProducer(p => p == "b" ? CheckOutcome.Fail : CheckOutcome.Pass)], ProgressLog.Silent, clock)
            .RunAsync(Request(dir, "a", "b"), ct);

        ((first.ExitCode, second.ExitCode)).Should().Be((0, 0));
        var top = CompatibilityReport.Load(dir.Combine("reports", "report.json"));
        Assert.Equal(Night.AddDays(1), top.GeneratedAt);
        File.ReadAllText(dir.Combine("reports", "index.html")).Should().Be(HtmlReport.Render(top));
        File.ReadAllText(dir.Combine("reports", "summary.md")).Should().Be(MarkdownSummary.Render(top));
        top.Trends.Count.Should().Be(2);
        top.SincePrevious!.Profiles.Single(p => p.Profile == "b").NewFailures.Should().Equal(["conformance/stream.order"]);

        var snapshots = Directory.GetDirectories(dir.Combine("reports", "history")).Select(Path.GetFileName).Order().ToList();
        snapshots.Should().Equal(["20261124T030000Z", "20261125T030000Z"]);
        File.Exists(dir.Combine("reports", "history", "20261124T030000Z", "results", "b.conformance.json")).Should().BeTrue();
        Assert.Equal(Night, CompatibilityReport.Load(dir.Combine("reports", "history", "20261124T030000Z", "report.json")).GeneratedAt);
        // The run folder is only a fallback for interrupted runs.
        Directory.Exists(dir.Combine("reports", ReportRun.RunsFolder, "20261124T030000Z")).Should().BeFalse();

        var progress = log.ToString();
        progress.Should().Contain("[a] conformance (profile 1/2, phase 1/1)");
        progress.Should().Contain("[b] conformance: 1 pass, 0 fail");
    }

    [Fact]
    public async Task An_interrupted_run_leaves_the_previous_report_as_it_was_and_keeps_finished_phases()
    {
        using var dir = new TempDirectory();
        var clock = new SteppingClock(Night);
        await new ReportRun([ConformanceProducer(_ => CheckOutcome.Pass)], ProgressLog.Silent, clock).RunAsync(Request(dir, "a"), TestContext.Current.CancellationToken);
        var before = Directory.GetFiles(dir.Combine("reports")).ToDictionary(f => f, File.ReadAllBytes);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var interrupting = new FakeProducer("conformance", (p, _, _) =>
        {
            if (p.Name == "b") { cts.Cancel(); cts.Token.ThrowIfCancellationRequested(); }
            return Task.FromResult(new ResultFile { Kind = "conformance", Run = Run(p.Name), Checks = [Check("stream.order", CheckOutcome.Fail)] });
        });
        clock.Now = Night.AddDays(1);
        await FluentActions.Awaiting(() =>
            new ReportRun([interrupting], ProgressLog.Silent, clock).RunAsync(Request(dir, "a", "b"), cts.Token)).Should().ThrowAsync<OperationCanceledException>();

        Assert.Equal(before, Directory.GetFiles(dir.Combine("reports")).ToDictionary(f => f, File.ReadAllBytes));
        Directory.GetDirectories(dir.Combine("reports", "history")).Select(Path.GetFileName).Should().Equal(["20261124T030000Z"]);
        File.Exists(dir.Combine("reports", ReportRun.RunsFolder, "20261125T030000Z", "a.conformance.json")).Should().BeTrue();
    }

    [Fact]
    public async Task A_failing_phase_is_a_warning_and_exit_1_and_no_result_at_all_writes_nothing()
    {
        using var dir = new TempDirectory();
        var clock = new SteppingClock(Night);
        var ct = TestContext.Current.CancellationToken;
        var e2eBroken = new FakeProducer("e2e", (_, _, _) => throw new IOException("claude not installed"));

        var outcome = await new ReportRun([ConformanceProducer(_ => CheckOutcome.Pass), e2eBroken], ProgressLog.Silent, clock).RunAsync(Request(dir, "a"), ct);
        outcome.ExitCode.Should().Be(1);
        outcome.Report.Warnings.Should().Contain(w => w.Contains("a e2e") && w.Contains("claude not installed"));
        var before = File.ReadAllBytes(dir.Combine("reports", "report.json"));

        clock.Now = Night.AddDays(1);
        var e = (await FluentActions.Awaiting(() =>
            new ReportRun([e2eBroken], ProgressLog.Silent, clock).RunAsync(Request(dir, "a"), ct)).Should().ThrowExactlyAsync<InvalidDataException>()).Which;
        e.Message.Should().Contain("claude not installed");
        File.ReadAllBytes(dir.Combine("reports", "report.json")).Should().Equal(before);
        Directory.Exists(dir.Combine("reports", ReportRun.RunsFolder, "20261125T030000Z")).Should().BeFalse();
    }

    [Fact]
    public async Task A_phase_past_its_timeout_is_recorded_and_the_next_phase_runs()
    {
        using var dir = new TempDirectory();
        var hanging = new FakeProducer("replay", async (_, _, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        var outcome = await new ReportRun([hanging, ConformanceProducer(_ => CheckOutcome.Pass)], ProgressLog.Silent, new SteppingClock(Night))
            .RunAsync(Request(dir, "a") with { PhaseTimeout = TimeSpan.FromMilliseconds(200) }, TestContext.Current.CancellationToken);

        outcome.Failures.Single().Should().Be(new PhaseFailure("a", "replay", "timed out after 0.2 s"));
        outcome.Report.Profiles.Single().Kinds.Should().Equal(["conformance"]);
    }

    [Fact]
    public async Task A_long_phase_says_it_is_still_running()
    {
        using var dir = new TempDirectory();
        var slow = new FakeProducer("conformance", async (p, _, ct) =>
        {
            await Task.Delay(400, ct);
            return new ResultFile { Kind = "conformance", Run = Run(p.Name), Checks = [Check("x", CheckOutcome.Pass)] };
        });
        var log = new StringWriter();
        var results = await new ProfileRunner([slow], new ProgressLog(log), TimeSpan.FromMinutes(1), heartbeat: TimeSpan.FromMilliseconds(100))
            .RunAsync([FakeProducer.Profile("a")], null, dir.Path, TestContext.Current.CancellationToken);

        results.Files.Should().ContainSingle();
        log.ToString().Should().Contain("[a] conformance: still running (");
    }

    [Fact]
    public async Task A_producer_that_writes_the_wrong_profile_is_a_failed_phase()
    {
        using var dir = new TempDirectory();
        var wrong = FakeProducer.Returning("conformance", (_, _) => new ResultFile { Kind = "conformance", Run = Run("other"), Checks = [Check("x", CheckOutcome.Pass)] });
        var e = (await FluentActions.Awaiting(() =>
            new ReportRun([wrong], ProgressLog.Silent, new SteppingClock(Night)).RunAsync(Request(dir, "a"), TestContext.Current.CancellationToken)).Should().ThrowExactlyAsync<InvalidDataException>()).Which;
        e.Message.Should().Contain("expected 'conformance' for 'a'");
    }

    [Fact]
    public async Task Merging_reads_result_folders_from_several_machines_and_runs_nothing()
    {
        using var dir = new TempDirectory();
        ConformanceResult("gpu-a", [Check("x", CheckOutcome.Pass)], run: Run("gpu-a", machine: "m1")).File.Save(dir.Combine("job-1", "gpu-a.conformance.json"));
        ConformanceResult("gpu-b", [Check("x", CheckOutcome.Fail)], run: Run("gpu-b", machine: "m2")).File.Save(dir.Combine("job-2", "nested", "gpu-b.conformance.json"));
        var never = new FakeProducer("conformance", (_, _, _) => throw new InvalidOperationException("must not run"));

        var outcome = await new ReportRun([never], ProgressLog.Silent, new SteppingClock(Night)).RunAsync(new ReportRequest
        {
            OutputDirectory = dir.Combine("reports"),
            MergeFrom = [dir.Combine("job-1"), dir.Combine("job-2")],
        }, TestContext.Current.CancellationToken);

        outcome.ExitCode.Should().Be(0);
        never.Calls.Should().BeEmpty();
        outcome.Report.Profiles.Select(p => p.Name).Should().Equal(["gpu-a", "gpu-b"]);
        outcome.Report.Profiles.Select(p => p.Machine).Should().Equal(["m1", "m2"]);
    }

    [Fact]
    public void History_skips_staging_folders_and_unreadable_reports_and_pruning_keeps_the_newest()
    {
        using var dir = new TempDirectory();
        var writer = new ReportWriter(dir.Path);
        foreach (var day in new[] { 0, 1, 2 })
            writer.Write(Report(Night.AddDays(day), ConformanceResult("a", [Check("x", CheckOutcome.Pass)])), [], keepHistory: 2);
        Directory.CreateDirectory(dir.Combine("history", ".staging-20261201T000000Z-1"));
        File.WriteAllText(dir.Combine("history", ".staging-20261201T000000Z-1", "report.json"), "{}");
        Directory.CreateDirectory(dir.Combine("history", "broken"));
        File.WriteAllText(dir.Combine("history", "broken", "report.json"), "{ not json");

        var warnings = new List<string>();
        var history = writer.LoadHistory(warnings);

        history.Select(r => r.GeneratedAt).Should().Equal([Night.AddDays(1), Night.AddDays(2)]);
        warnings.Should().Contain(w => w.Contains("broken"));
    }

    [Fact]
    public void Two_reports_in_the_same_second_get_separate_snapshots()
    {
        using var dir = new TempDirectory();
        var writer = new ReportWriter(dir.Path);
        var a = writer.Write(Report(Night, ConformanceResult("a", [Check("x", CheckOutcome.Pass)])), []);
        var b = writer.Write(Report(Night, ConformanceResult("a", [Check("x", CheckOutcome.Fail)])), []);
        b.Snapshot.Should().NotBe(a.Snapshot);
        b.Snapshot.Should().EndWith("-2");
    }
}
