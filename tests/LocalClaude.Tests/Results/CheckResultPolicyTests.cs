using LocalClaude.Infrastructure;
using LocalClaude.Protocol;
using LocalClaude.Results;

namespace LocalClaude.Tests.Results;

/// <summary>The one reading of check results that commands act on: blocking findings and the exit code.</summary>
public sealed class CheckResultPolicyTests
{
    private static CheckResult Check(CheckOutcome outcome, HarnessOutcome? harness = null, params FindingRecord[] findings) => new()
    {
        Id = $"test.{outcome}.{harness}",
        Area = "test",
        Title = "a check",
        Outcome = outcome,
        Reason = "why",
        Harness = harness,
        Findings = findings,
    };

    private static FindingRecord Finding(string id, FindingSeverity severity) => new(id, severity.ToReportName(), null, "message");

    [Fact]
    public void Passing_deviating_and_inapplicable_checks_exit_0() =>
        Assert.Equal(ExitCodes.Ok, CheckResultPolicy.ExitCode([Check(CheckOutcome.Pass), Check(CheckOutcome.KnownDeviation), Check(CheckOutcome.NotApplicable)]));

    [Fact]
    public void No_checks_exit_0() => Assert.Equal(ExitCodes.Ok, CheckResultPolicy.ExitCode([]));

    [Theory]
    [InlineData(null)]
    [InlineData(HarnessOutcome.ServerDied)]
    public void A_failure_that_judges_the_server_exits_1_unless_report_only(HarnessOutcome? harness)
    {
        CheckResult[] checks = [Check(CheckOutcome.Pass), Check(CheckOutcome.Fail, harness)];
        Assert.Equal(ExitCodes.Verdict, CheckResultPolicy.ExitCode(checks));
        Assert.Equal(ExitCodes.Ok, CheckResultPolicy.ExitCode(checks, reportOnly: true));
    }

    [Theory]
    [InlineData(HarnessOutcome.CouldNotRun)]
    [InlineData(HarnessOutcome.TimedOut)]
    public void A_check_that_reached_no_verdict_exits_2_even_report_only(HarnessOutcome harness)
    {
        CheckResult[] checks = [Check(CheckOutcome.Pass), Check(CheckOutcome.Fail, harness)];
        Assert.Equal(ExitCodes.CouldNotRun, CheckResultPolicy.ExitCode(checks));
        Assert.Equal(ExitCodes.CouldNotRun, CheckResultPolicy.ExitCode(checks, reportOnly: true));
    }

    [Fact]
    public void A_verdict_outranks_a_check_that_could_not_run() =>
        Assert.Equal(ExitCodes.Verdict, CheckResultPolicy.ExitCode([Check(CheckOutcome.Fail, HarnessOutcome.TimedOut), Check(CheckOutcome.Fail)]));

    [Theory]
    [InlineData(FindingSeverity.Note, false)]
    [InlineData(FindingSeverity.Deviation, false)]
    [InlineData(FindingSeverity.Violation, true)]
    [InlineData(FindingSeverity.ClientBreak, true)]
    public void A_stored_finding_blocks_as_its_severity_does(FindingSeverity severity, bool blocking)
    {
        Assert.Equal(blocking, Finding("x", severity).IsBlocking);
        Assert.Equal(severity.IsBlocking(), Finding("x", severity).IsBlocking);
    }

    [Fact]
    public void Blocking_finding_ids_are_the_violations_and_client_breaks_each_once_in_order()
    {
        CheckResult[] checks =
        [
            Check(CheckOutcome.Fail, null, Finding("b.break", FindingSeverity.ClientBreak), Finding("note", FindingSeverity.Note)),
            Check(CheckOutcome.KnownDeviation, null, Finding("dev", FindingSeverity.Deviation), Finding("a.violation", FindingSeverity.Violation)),
            Check(CheckOutcome.Fail, null, Finding("b.break", FindingSeverity.ClientBreak)),
        ];
        Assert.Equal(["b.break", "a.violation"], CheckResultPolicy.BlockingFindingIds(checks));
    }

    [Fact]
    public void A_severity_no_reader_knows_is_an_error_not_a_silent_pass() =>
        Assert.Throws<FormatException>(() => new FindingRecord("x", "fatal", null, "m").IsBlocking);

    [Fact]
    public void The_harness_outcome_round_trips_through_a_result_file_by_name()
    {
        var file = new ResultFile { Kind = "conformance", Run = new RunInfo { Profile = "p" }, Checks = [Check(CheckOutcome.Fail, HarnessOutcome.TimedOut), Check(CheckOutcome.Pass)] };
        var json = System.Text.Json.JsonSerializer.Serialize(file, ResultFile.Json);
        Assert.Contains("\"harness\": \"timed-out\"", json);
        var back = System.Text.Json.JsonSerializer.Deserialize<ResultFile>(json, ResultFile.Json)!;
        Assert.Equal([HarnessOutcome.TimedOut, null], back.Checks.Select(c => c.Harness));
    }
}
