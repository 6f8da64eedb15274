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
        CheckResultPolicy.ExitCode([Check(CheckOutcome.Pass), Check(CheckOutcome.KnownDeviation), Check(CheckOutcome.NotApplicable)]).Should().Be(ExitCodes.Ok);

    [Fact]
    public void No_checks_exit_0() => CheckResultPolicy.ExitCode([]).Should().Be(ExitCodes.Ok);

    [Theory]
    [InlineData(null)]
    [InlineData(HarnessOutcome.ServerDied)]
    public void A_failure_that_judges_the_server_exits_1_unless_report_only(HarnessOutcome? harness)
    {
        CheckResult[] checks = [Check(CheckOutcome.Pass), Check(CheckOutcome.Fail, harness)];
        CheckResultPolicy.ExitCode(checks).Should().Be(ExitCodes.Verdict);
        CheckResultPolicy.ExitCode(checks, reportOnly: true).Should().Be(ExitCodes.Ok);
    }

    [Theory]
    [InlineData(HarnessOutcome.CouldNotRun)]
    [InlineData(HarnessOutcome.TimedOut)]
    public void A_check_that_reached_no_verdict_exits_2_even_report_only(HarnessOutcome harness)
    {
        CheckResult[] checks = [Check(CheckOutcome.Pass), Check(CheckOutcome.Fail, harness)];
        CheckResultPolicy.ExitCode(checks).Should().Be(ExitCodes.CouldNotRun);
        CheckResultPolicy.ExitCode(checks, reportOnly: true).Should().Be(ExitCodes.CouldNotRun);
    }

    [Fact]
    public void A_verdict_outranks_a_check_that_could_not_run() =>
        CheckResultPolicy.ExitCode([Check(CheckOutcome.Fail, HarnessOutcome.TimedOut), Check(CheckOutcome.Fail)]).Should().Be(ExitCodes.Verdict);

    [Theory]
    [InlineData(FindingSeverity.Note, false)]
    [InlineData(FindingSeverity.Deviation, false)]
    [InlineData(FindingSeverity.Violation, true)]
    [InlineData(FindingSeverity.ClientBreak, true)]
    public void A_stored_finding_blocks_as_its_severity_does(FindingSeverity severity, bool blocking)
    {
        Finding("x", severity).IsBlocking.Should().Be(blocking);
        Finding("x", severity).IsBlocking.Should().Be(severity.IsBlocking());
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
        CheckResultPolicy.BlockingFindingIds(checks).Should().Equal(["b.break", "a.violation"]);
    }

    [Fact]
    public void A_severity_no_reader_knows_is_an_error_not_a_silent_pass() =>
        Assert.Throws<FormatException>(() => new FindingRecord("x", "fatal", null, "m").IsBlocking);

    [Fact]
    public void The_harness_outcome_round_trips_through_a_result_file_by_name()
    {
        var file = new ResultFile { Kind = "conformance", Run = new RunInfo { Profile = "p" }, Checks = [Check(CheckOutcome.Fail, HarnessOutcome.TimedOut), Check(CheckOutcome.Pass)] };
        var json = System.Text.Json.JsonSerializer.Serialize(file, ResultFile.Json);
        json.Should().Contain("\"harness\": \"timed-out\"");
        var back = System.Text.Json.JsonSerializer.Deserialize<ResultFile>(json, ResultFile.Json)!;
        back.Checks.Select(c => c.Harness).Should().Equal([HarnessOutcome.TimedOut, null]);
    }
}
