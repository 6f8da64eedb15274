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

        Assert.Equal(report.Features.Count * report.Profiles.Count, cells.Count);
        foreach (var row in report.Features)
        foreach (var profile in report.Profiles)
        {
            var expected = row.Cells.TryGetValue(profile.Name, out var cell) ? ReportFormat.Outcome(cell.Outcome) : "missing";
            Assert.Contains((row.Kind, row.Id, profile.Name, expected), cells);
        }
        Assert.Contains("data-task=\"fix-bug\" data-profile=\"b\" data-trials=\"2\" data-passes=\"1\" data-pass-at-1=\"0.5\" data-pass-at-k=\"1\"", html);
        Assert.Contains("data-task=\"fix-bug\" data-profile=\"a\" data-trials=\"0\"", html);
    }

    [Fact]
    public void Evidence_is_escaped_and_shown_in_the_tooltip()
    {
        var html = HtmlReport.Render(Full());
        Assert.DoesNotContain("<script>alert(1)</script>", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("prefill &amp; stop", html);
    }

    [Fact]
    public void The_page_needs_no_network()
    {
        var html = HtmlReport.Render(Full());
        Assert.Contains("Content-Security-Policy\" content=\"default-src 'none'", html);
        Assert.DoesNotMatch(@"(src|href)\s*=\s*""(https?:)?//", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        Assert.DoesNotContain("<link", html);
    }

    [Fact]
    public void Charts_are_drawn_for_the_metrics_there_are_with_one_mark_per_value()
    {
        var report = Full();
        var html = HtmlReport.Render(report);

        var charts = ChartId().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["ttfb", "decode", "parallel", "cache-reuse", "trend-checks", "trend-decode", "trend-ttfb"], charts);
        Assert.Contains("data-profile=\"a\" data-metric=\"long_prompt.ttfb_cold_s\"", html);
        var bars = BarOf().Matches(html).Select(m => (m.Groups["profile"].Value, m.Groups["metric"].Value, m.Groups["value"].Value)).ToList();
        Assert.Contains(("a", "decode.tokens_per_s", "130"), bars);
        Assert.DoesNotContain(bars, b => b.Item1 == "b" && b.Item2 == "decode.tokens_per_s");
        // The concurrency chart has a group per profile and slot count, each bar named by its own metric.
        Assert.Contains("data-profile=\"b\" data-slots=\"2\" data-metric=\"concurrency.np2.main_s\"", html);
        Assert.Contains("data-profile=\"b\" data-slots=\"1\" data-metric=\"concurrency.np1.main_alone_s\"", html);
        Assert.DoesNotContain("data-profile=\"a\" data-slots=", html);
    }

    [Fact]
    public void Without_measurements_or_history_the_page_says_so_instead_of_drawing_empty_charts()
    {
        var html = HtmlReport.Render(Report(Night, ConformanceResult("a", [Check("x", CheckOutcome.Pass)])));
        Assert.DoesNotContain("<svg", html);
        Assert.Contains("No earlier reports", html);
        Assert.Contains("No E2E task results.", html);
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
        Assert.Contains("data-metric=\"decode.tokens_per_s\" data-value=\"100\" data-n=\"5\" data-min=\"40\" data-max=\"160\" class=\"rough\"", html);
        Assert.Contains("100.0 tok/s<span class=\"spread\"> (n=5, 40.0 tok/s–160.0 tok/s)</span>", html);
        // The decode trend: a single old sample and today's wide spread are hollow; yesterday's tight one is solid.
        var trend = html[html.IndexOf("data-chart=\"trend-decode\"", StringComparison.Ordinal)..];
        trend = trend[..trend.IndexOf("</svg>", StringComparison.Ordinal)];
        var points = Regex.Matches(trend, "<circle class=\"(?<class>[^\"]+)\"").Select(m => m.Groups["class"].Value).ToList();
        Assert.Equal(["point rough", "point", "point rough"], points);
        Assert.Contains("data-rough=\"only 1 sample(s), no spread to judge by\"", trend);
        Assert.Contains("data-rough=\"spread too wide: min–max is 120% of the median\"", trend);
        Assert.Equal(2, Regex.Matches(trend, "<g class=\"spread\" data-n=\"5\"").Count);
        Assert.Contains("data-note=\"rough-points\"", html);
        Assert.Contains("100.0 tok/s (n=5, 40.0 tok/s–160.0 tok/s) rough", MarkdownSummary.Render(report));
    }

    [Fact]
    public void Bars_scale_to_a_round_maximum()
    {
        Assert.Equal(1, SvgChart.NiceMax(0));
        Assert.Equal(2.5, SvgChart.NiceMax(2.09));
        Assert.Equal(200, SvgChart.NiceMax(130));
        Assert.Equal(0.5, SvgChart.NiceMax(0.5));
        Assert.Equal(10000, SvgChart.NiceMax(8300));
    }

    [GeneratedRegex(""""<td class="cell o-[a-z-]+"(?: tabindex="0")? data-kind="(?<kind>[^"]*)" data-check="(?<check>[^"]*)" data-profile="(?<profile>[^"]*)" data-outcome="(?<outcome>[^"]*)"""")]
    private static partial Regex FeatureCell();

    [GeneratedRegex("""<svg class="chart" data-chart="([^"]+)" """)]
    private static partial Regex ChartId();

    [GeneratedRegex(""""<rect class="bar" [^>]*data-value="(?<value>[^"]*)" data-profile="(?<profile>[^"]*)" data-metric="(?<metric>[^"]*)"""")]
    private static partial Regex BarOf();
}
