using LocalClaude.Reporting;
using LocalClaude.Results;
using static LocalClaude.Tests.Reporting.Samples;

namespace LocalClaude.Tests.Reporting;

public sealed class MarkdownSummaryTests
{
    [Fact]
    public void One_row_per_profile_then_the_failures_then_the_changes()
    {
        var previous = Report(Night.AddDays(-1), ConformanceResult("a|b", [Check("x", CheckOutcome.Pass)], Perf(2, 0.1, 100)));
        var report = CompatibilityReportBuilder.Build(
            [
                ConformanceResult("a|b", [Check("x", CheckOutcome.Fail, reason: "first line\nsecond line"), Check("y", CheckOutcome.KnownDeviation)], Perf(2.094, 0.1, 131.25)),
                E2EResult("a|b", Trial("t", 1, true), Trial("t", 2, false)),
            ],
            Night, earlier: [previous]);

        var lines = MarkdownSummary.Render(report).Split('\n');

        lines[0].Should().Be("# LocalClaude compatibility · 2026-11-24 03:00 UTC");
        lines.Should().Contain("| a\\|b | 0.5.0-dev (build 1, commit de3ff81) | 2.1.3 | 0 / 1 / 1 / 0 | 50% | 2.09 s (n=1) / 100 ms (n=1) | 131.3 tok/s (n=1) |");
        lines.Should().Contain("- a|b: `conformance/x` first line");
        lines.Should().Contain(l => l.StartsWith("- a|b: new failures: `conformance/x`"));
    }

    [Fact]
    public void Long_failure_lists_are_cut()
    {
        var checks = Enumerable.Range(0, 30).Select(i => Check($"c{i}", CheckOutcome.Fail)).ToList();
        var md = MarkdownSummary.Render(Report(Night, ConformanceResult("a", checks)));
        md.Should().Contain("**Failing checks (30):**");
        md.Should().Contain("- … and 15 more (index.html)");
    }

    [Fact]
    public void Angle_brackets_stay_visible_in_a_chat()
    {
        var md = MarkdownSummary.Render(Report(Night, ConformanceResult("a", [Check("thinking", CheckOutcome.Fail, reason: "<think> seen in text")])));
        md.Should().Contain("- a: `conformance/thinking` &lt;think&gt; seen in text");
    }
}
