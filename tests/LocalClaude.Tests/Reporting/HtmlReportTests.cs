using System.Text.RegularExpressions;
using LocalClaude.Reporting;
using LocalClaude.Results;
using static LocalClaude.Tests.Reporting.Samples;

namespace LocalClaude.Tests.Reporting;

public sealed partial class HtmlReportTests
{
    private static CompatibilityReport Full() => CompatibilityReportBuilder.Build(
        [
            ConformanceResult("a", [Check("stream.order", CheckOutcome.Pass), Check("errors.shape", CheckOutcome.KnownDeviation, area: "errors",
                evidence: new Evidence { Request = "{\"messages\":[]}", Response = "<script>alert(1)</script>", Status = 500, Route = "prefill & stop" })],
                Perf(2.0, 0.1, 130)),
            ConformanceResult("b", [Check("stream.order", CheckOutcome.Fail)], new Dictionary<string, double> { [ReportMetrics.MainBesideTitle(2).Name] = 3, [ReportMetrics.MainAlone(1).Name] = 1.5 }),
            ReplayResult("a", [Check("session-1", CheckOutcome.Pass, area: "replay")], [Request("session-1", 0, 100, 0, null), Request("session-1", 1, 10, 90, 0.9)]),
            E2EResult("b", Trial("fix-bug", 1, true), Trial("fix-bug", 2, false)),
        ],
        Night,
        earlier: [Report(Night.AddDays(-1), ConformanceResult("a", [Check("stream.order", CheckOutcome.Pass)], Perf(1.5, 0.1, 140)))]);

    [Fact]
    public void Every_matrix_cell_carries_the_outcome_of_report_json()
    {
        var report = Full();
        var html = HtmlReport.Render(report);

        var cells = FeatureCell().Matches(html).Select(m => (Kind: m.Groups["kind"].Value, Check: m.Groups["check"].Value,
            Profile: m.Groups["profile"].Value, Outcome: m.Groups["outcome"].Value)).ToList();

        cells.Count.Should().Be(report.Features.Count * report.Profiles.Count);
        foreach (var row in report.Features)
            foreach (var profile in report.Profiles)
            {
                var expected = row.Cells.TryGetValue(profile.Name, out var cell) ? ReportFormat.Outcome(cell.Outcome) : "missing";
                cells.Should().Contain((row.Kind, row.Id, profile.Name, expected));
            }
        html.Should().Contain("data-task=\"fix-bug\" data-profile=\"b\" data-trials=\"2\" data-passes=\"1\" data-pass-at-1=\"0.5\" data-pass-at-k=\"1\"");
        html.Should().Contain("data-task=\"fix-bug\" data-profile=\"a\" data-trials=\"0\"");
    }

    [Fact]
    public void Evidence_is_escaped_and_shown_in_the_tooltip()
    {
        var html = HtmlReport.Render(Full());
        html.Should().NotContain("<script>alert(1)</script>");
        html.Should().Contain("&lt;script&gt;alert(1)&lt;/script&gt;");
        html.Should().Contain("prefill &amp; stop");
    }

    [Fact]
    public void The_page_needs_no_network()
    {
        var html = HtmlReport.Render(Full());
        html.Should().Contain("Content-Security-Policy\" content=\"default-src 'none'");
        html.Should().NotMatchRegex(@"(src|href)\s*=\s*""(https?:)?//");
        html.Should().NotContain("@import");
        html.Should().NotContain("url(");
        html.Should().NotContain("<link");
    }

    [Fact]
    public void Charts_are_drawn_for_the_metrics_there_are_with_one_mark_per_value()
    {
        var report = Full();
        var html = HtmlReport.Render(report);

        var charts = ChartId().Matches(html).Select(m => m.Groups[1].Value).ToList();
        charts.Should().Equal(["ttfb", "decode", "parallel", "cache-reuse", "trend-checks", "trend-decode", "trend-ttfb"]);
        html.Should().Contain("data-profile=\"a\" data-metric=\"long_prompt.ttfb_cold_s\"");
        var bars = BarOf().Matches(html).Select(m => (m.Groups["profile"].Value, m.Groups["metric"].Value, m.Groups["value"].Value)).ToList();
        bars.Should().Contain(("a", "decode.tokens_per_s", "130"));
        bars.Should().NotContain(b => b.Item1 == "b" && b.Item2 == "decode.tokens_per_s");
        // The concurrency chart has a group per profile and slot count, each bar named by its own metric.
        html.Should().Contain("data-profile=\"b\" data-slots=\"2\" data-metric=\"concurrency.np2.main_s\"");
        html.Should().Contain("data-profile=\"b\" data-slots=\"1\" data-metric=\"concurrency.np1.main_alone_s\"");
        html.Should().NotContain("data-profile=\"a\" data-slots=");
    }

    [Fact]
    public void Without_measurements_or_history_the_page_says_so_instead_of_drawing_empty_charts()
    {
        var html = HtmlReport.Render(Report(Night, ConformanceResult("a", [Check("x", CheckOutcome.Pass)])));
        html.Should().NotContain("<svg");
        html.Should().Contain("No earlier reports");
        html.Should().Contain("No E2E task results.");
    }

    /// <summary>A conformance file whose decode speed was measured five times (schema 2), spread as given.</summary>
    private static LoadedResultFile Measured(string profile, params double[] decode) =>
        new(ConformanceResult(profile, [Check("perf.decode-speed", CheckOutcome.Pass)]).File with
        {
            Metrics = new Dictionary<string, double> { [ReportMetrics.DecodeTokensPerSecond.Name] = SampleSpread.Of(decode).Median },
            MetricSamples = new Dictionary<string, IReadOnlyList<double>> { [ReportMetrics.DecodeTokensPerSecond.Name] = decode },
        }, null);

    [Fact]
    public void Every_measurement_shows_n_and_spread_and_a_trend_point_with_a_wide_spread_is_drawn_hollow_with_its_whisker()
    {
        var older = Report(Night.AddDays(-2), ConformanceResult("a", [Check("x", CheckOutcome.Pass)], Perf(2.0, 0.1, 140)));
        var tight = Report(Night.AddDays(-1), Measured("a", 100, 101, 99, 102, 98));
        var report = CompatibilityReportBuilder.Build([Measured("a", 100, 40, 160, 95, 105)], Night, [older, tight]);
        var html = HtmlReport.Render(report);

        // The table: median, n, min and max of the current run.
        html.Should().Contain("data-metric=\"decode.tokens_per_s\" data-value=\"100\" data-n=\"5\" data-min=\"40\" data-max=\"160\" class=\"rough\"");
        html.Should().Contain("100.0 tok/s<span class=\"spread\"> (n=5, 40.0 tok/s–160.0 tok/s)</span>");
        // The decode trend: a single old sample and today's wide spread are hollow; yesterday's tight one is solid.
        var trend = html[html.IndexOf("data-chart=\"trend-decode\"", StringComparison.Ordinal)..];
        trend = trend[..trend.IndexOf("</svg>", StringComparison.Ordinal)];
        var points = Regex.Matches(trend, "<circle class=\"(?<class>[^\"]+)\"").Select(m => m.Groups["class"].Value).ToList();
        points.Should().Equal(["point rough", "point", "point rough"]);
        trend.Should().Contain("data-rough=\"only 1 sample(s), no spread to judge by\"");
        trend.Should().Contain("data-rough=\"spread too wide: min–max is 120% of the median\"");
        Regex.Matches(trend, "<g class=\"spread\" data-n=\"5\"").Count.Should().Be(2);
        html.Should().Contain("data-note=\"rough-points\"");
        MarkdownSummary.Render(report).Should().Contain("100.0 tok/s (n=5, 40.0 tok/s–160.0 tok/s) rough");
    }

    [Fact]
    public void Bars_scale_to_a_round_maximum()
    {
        SvgChart.NiceMax(0).Should().Be(1);
        SvgChart.NiceMax(2.09).Should().Be(2.5);
        SvgChart.NiceMax(130).Should().Be(200);
        SvgChart.NiceMax(0.5).Should().Be(0.5);
        SvgChart.NiceMax(8300).Should().Be(10000);
    }

    [GeneratedRegex(""""<td class="cell o-[a-z-]+"(?: tabindex="0")? data-kind="(?<kind>[^"]*)" data-check="(?<check>[^"]*)" data-profile="(?<profile>[^"]*)" data-outcome="(?<outcome>[^"]*)"""")]
    private static partial Regex FeatureCell();

    [GeneratedRegex("""<svg class="chart" data-chart="([^"]+)" """)]
    private static partial Regex ChartId();

    [GeneratedRegex(""""<rect class="bar" [^>]*data-value="(?<value>[^"]*)" data-profile="(?<profile>[^"]*)" data-metric="(?<metric>[^"]*)"""")]
    private static partial Regex BarOf();
}
