using System.Diagnostics;
using System.Text.Json;
using LocalClaude.Infrastructure;
using LocalClaude.Pipeline;
using LocalClaude.Reporting;
using LocalClaude.Results;
using LocalClaude.Tests.Support;
using Microsoft.Playwright;

namespace LocalClaude.E2E.Tests.Report;

/// <summary>
/// Opens the generated index.html in Debian's Chromium and holds the page against report.json, read as plain JSON
/// (not through the model types that rendered it): every matrix cell, every measurement, every chart mark.
/// </summary>
public sealed class ReportPageTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly DateTimeOffset Night = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed record CellAttributes(string Kind, string Check, string Profile, string Outcome, string Background);

    private sealed record TaskAttributes(string Task, string Profile, string Trials, string? Passes, string? PassAt1, string? PassAtK);

    private sealed record Mark(string Chart, string? Profile, string? Metric, string? Session, string Value, double Width, double Height);

    [Fact]
    public async Task The_page_agrees_with_report_json_and_its_charts_render()
    {
        MissingPart.Require(File.Exists(Chromium), $"{Chromium} is missing: apt-get install -y chromium");
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var work = Path.Combine(Path.GetTempPath(), $"lc-report-page-{Guid.NewGuid():N}");
        try
        {
            var reports = await WriteTwoNightsAsync(work, ct);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(reports, "report.json"), ct));
            var report = json.RootElement;

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
                Timeout = 60_000,
            });
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
            page.SetDefaultTimeout(30_000);
            var offPage = new List<string>();
            await page.RouteAsync("**/*", async route =>
            {
                if (route.Request.Url.StartsWith("file:", StringComparison.Ordinal)) await route.ContinueAsync();
                else { lock (offPage) offPage.Add(route.Request.Url); await route.AbortAsync(); }
            });
            var consoleErrors = new List<string>();
            page.Console += (_, message) => { if (message.Type == "error") lock (consoleErrors) consoleErrors.Add(message.Text); };
            page.PageError += (_, error) => { lock (consoleErrors) consoleErrors.Add(error); };

            await page.GotoAsync(new Uri(Path.Combine(reports, "index.html")).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });

            await FeatureCellsAgreeAsync(page, report);
            await CapabilityCellsAgreeAsync(page, report);
            await VersionsAgreeAsync(page, report);
            await MeasurementsAgreeAsync(page, report);
            await ChartsRenderAsync(page, report);
            await TooltipShowsTheEvidenceAsync(page, report);
            await FailureFilterHidesPassingRowsAsync(page);

            offPage.Should().BeEmpty();
            consoleErrors.Should().BeEmpty();
            await SaveScreenshotAsync(page, reports);
            TestContext.Current.SendDiagnosticMessage($"report page test took {clock.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Two nights merged from per-profile job folders, as the nightly does, so trends and history are real.</summary>
    private static async Task<string> WriteTwoNightsAsync(string work, CancellationToken ct)
    {
        var reports = Path.Combine(work, "reports");
        for (var night = 0; night < 2; night++)
        {
            var at = Night.AddDays(night);
            var jobs = new List<string>();
            foreach (var file in SampleNight.Files(at.AddHours(-1), night))
            {
                var job = Path.Combine(work, $"night-{night}", $"job-{file.Run.Profile}");
                file.Save(Path.Combine(job, ReportWriter.ResultFileName(file.Run.Profile, file.Kind)));
                if (!jobs.Contains(job)) jobs.Add(job);
            }
            var outcome = await new ReportRun([], ProgressLog.Silent, new FixedClock(at))
                .RunAsync(new ReportRequest { OutputDirectory = reports, MergeFrom = jobs }, ct);
            outcome.ExitCode.Should().Be(0);
        }
        return reports;
    }

    private static async Task FeatureCellsAgreeAsync(IPage page, JsonElement report)
    {
        var cells = await EvalAllAsync<CellAttributes[]>(page, "table[data-matrix=features] td[data-check]",
            "els => els.map(e => ({ kind: e.dataset.kind, check: e.dataset.check, profile: e.dataset.profile, outcome: e.dataset.outcome, background: getComputedStyle(e).backgroundColor }))");
        var expected = new List<(string, string, string, string)>();
        foreach (var row in report.GetProperty("features").EnumerateArray())
            foreach (var profile in ProfileNames(report))
                expected.Add((row.GetProperty("kind").GetString()!, row.GetProperty("id").GetString()!, profile,
                    row.GetProperty("cells").TryGetProperty(profile, out var cell) ? cell.GetProperty("outcome").GetString()! : "missing"));

        cells.Length.Should().Be(expected.Count);
        ((IOrderedEnumerable<(string, string, string, string)>)(cells.Select(c => (c.Kind, c.Check, c.Profile, c.Outcome)).Order())).Should().Equal(expected.Order());
        // Colour says the outcome: one background per outcome, different outcomes never share one.
        var colours = cells.GroupBy(c => c.Outcome).ToDictionary(g => g.Key, g => g.Select(c => c.Background).Distinct().Single());
        colours.Values.Distinct().Count().Should().Be(colours.Count);
        colours.Keys.Should().Contain("fail");
    }

    private static async Task CapabilityCellsAgreeAsync(IPage page, JsonElement report)
    {
        var cells = await EvalAllAsync<TaskAttributes[]>(page, "table[data-matrix=capabilities] td[data-task]",
            "els => els.map(e => ({ task: e.dataset.task, profile: e.dataset.profile, trials: e.dataset.trials, passes: e.getAttribute('data-passes'), passAt1: e.getAttribute('data-pass-at-1'), passAtK: e.getAttribute('data-pass-at-k') }))");
        var rows = report.GetProperty("capabilities").EnumerateArray().ToList();
        rows.Should().NotBeEmpty();
        cells.Length.Should().Be(rows.Count * ProfileNames(report).Count);
        foreach (var row in rows)
            foreach (var profile in ProfileNames(report))
            {
                var shown = cells.Single(c => c.Task == row.GetProperty("task").GetString() && c.Profile == profile);
                if (!row.GetProperty("cells").TryGetProperty(profile, out var cell))
                {
                    shown.Trials.Should().Be("0");
                    continue;
                }
                shown.Trials.Should().Be(cell.GetProperty("trials").GetInt32().ToString());
                shown.Passes.Should().Be(cell.GetProperty("passes").GetInt32().ToString());
                Assert.Equal(cell.GetProperty("passAt1").GetDouble(), double.Parse(shown.PassAt1!, System.Globalization.CultureInfo.InvariantCulture), 4);
                Assert.Equal(cell.GetProperty("passAtK").GetDouble(), double.Parse(shown.PassAtK!, System.Globalization.CultureInfo.InvariantCulture), 4);
            }
    }

    private static async Task VersionsAgreeAsync(IPage page, JsonElement report)
    {
        foreach (var profile in report.GetProperty("profiles").EnumerateArray())
        {
            var row = page.Locator($"#versions tr[data-profile=\"{profile.GetProperty("name").GetString()}\"]");
            (await row.Locator("td[data-field=server-version]").InnerTextAsync()).Should().Be(profile.GetProperty("serverVersion").GetString());
            (await row.Locator("td[data-field=claude-code-version]").InnerTextAsync()).Should().Be(profile.GetProperty("claudeCodeVersion").GetString());
            (await row.Locator("td[data-field=checks]").GetAttributeAsync("data-fail")).Should().Be(profile.GetProperty("checks").GetProperty("fail").GetInt32().ToString());
        }
    }

    private static async Task MeasurementsAgreeAsync(IPage page, JsonElement report)
    {
        var shown = await page.EvalOnSelectorAllAsync<string[][]>("table[data-table=metrics] td[data-metric]",
            "els => els.map(e => [e.dataset.profile, e.dataset.metric, e.dataset.value])");
        var expected = report.GetProperty("performance").EnumerateArray()
            .SelectMany(p => p.GetProperty("metrics").EnumerateObject().Select(m => (p.GetProperty("profile").GetString()!, m.Name, m.Value.GetDouble())))
            .ToList();
        shown.Length.Should().Be(expected.Count);
        foreach (var (profile, metric, value) in expected)
        {
            var cell = shown.Single(s => s[0] == profile && s[1] == metric);
            Assert.Equal(value, double.Parse(cell[2], System.Globalization.CultureInfo.InvariantCulture), 6);
        }
    }

    private static async Task ChartsRenderAsync(IPage page, JsonElement report)
    {
        var charts = await page.EvalOnSelectorAllAsync<string[]>("svg[data-chart]", "els => els.map(e => e.dataset.chart)");
        Assert.Equal(["ttfb", "decode", "parallel", "cache-reuse", "trend-checks", "trend-decode", "trend-ttfb"], charts);
        foreach (var chart in charts)
        {
            var box = await page.Locator($"svg[data-chart=\"{chart}\"]").BoundingBoxAsync();
            (box is { Width: > 0, Height: > 0 }).Should().BeTrue($"chart {chart} has no size");
        }

        var marks = await EvalAllAsync<Mark[]>(page, "svg[data-chart] .bar, svg[data-chart] .point",
            """
            els => els.map(e => { const r = e.getBoundingClientRect(); return {
              chart: e.closest('svg').dataset.chart, profile: e.dataset.profile ?? null, metric: e.dataset.metric ?? null,
              session: e.dataset.session ?? null, value: e.dataset.value, width: r.width, height: r.height }; })
            """);
        var performance = report.GetProperty("performance").EnumerateArray().ToDictionary(p => p.GetProperty("profile").GetString()!, p => p.GetProperty("metrics"));
        var expectedBars = 0;
        foreach (var (chart, metrics) in new[]
                 {
                     ("ttfb", new[] { ReportMetrics.LongPromptTtfbCold, ReportMetrics.LongPromptTtfbWarm }),
                     ("decode", new[] { ReportMetrics.DecodeTokensPerSecond }),
                     ("parallel", ReportMetrics.ConcurrencySlots.SelectMany(n => new[] { ReportMetrics.MainAlone(n), ReportMetrics.MainBesideTitle(n), ReportMetrics.Title(n) }).ToArray()),
                 })
            foreach (var (profile, values) in performance)
                foreach (var metric in metrics)
                {
                    if (!values.TryGetProperty(metric.Name, out var value)) continue;
                    expectedBars++;
                    var bar = marks.Single(m => m.Chart == chart && m.Profile == profile && m.Metric == metric.Name);
                    Assert.Equal(value.GetDouble(), double.Parse(bar.Value, System.Globalization.CultureInfo.InvariantCulture), 6);
                    (bar.Width > 0 && bar.Height > 0).Should().BeTrue($"{chart} bar {profile}/{metric.Name} is not drawn");
                }
        marks.Count(m => m.Chart is "ttfb" or "decode" or "parallel").Should().Be(expectedBars);

        foreach (var session in report.GetProperty("cacheReuse").EnumerateArray())
        {
            var bar = marks.Single(m => m.Chart == "cache-reuse" && m.Profile == session.GetProperty("profile").GetString() && m.Session == session.GetProperty("session").GetString());
            Assert.Equal(session.GetProperty("tokenShare").GetDouble() * 100, double.Parse(bar.Value, System.Globalization.CultureInfo.InvariantCulture), 4);
        }

        var trends = report.GetProperty("trends").EnumerateArray().ToList();
        trends.Count.Should().Be(2);
        foreach (var point in trends)
            foreach (var profile in point.GetProperty("profiles").EnumerateArray())
            {
                var passes = profile.GetProperty("checks").GetProperty("pass").GetInt32();
                marks.Should().Contain(m => m.Chart == "trend-checks" && m.Profile == profile.GetProperty("profile").GetString() && m.Value == passes.ToString() && m.Width > 0);
            }
    }

    private static async Task TooltipShowsTheEvidenceAsync(IPage page, JsonElement report)
    {
        var failing = report.GetProperty("features").EnumerateArray()
            .SelectMany(r => r.GetProperty("cells").EnumerateObject().Select(c => (Row: r, Profile: c.Name, Cell: c.Value)))
            .First(x => x.Cell.GetProperty("outcome").GetString() == "fail");
        var cell = page.Locator($"td[data-kind=\"{failing.Row.GetProperty("kind").GetString()}\"][data-check=\"{failing.Row.GetProperty("id").GetString()}\"][data-profile=\"{failing.Profile}\"]");
        var tip = cell.Locator(".tip");
        (await tip.IsVisibleAsync()).Should().BeFalse();
        await cell.ScrollIntoViewIfNeededAsync();
        await cell.HoverAsync();
        (await tip.IsVisibleAsync()).Should().BeTrue();
        (await tip.Locator("[data-evidence=reason]").InnerTextAsync()).Should().Be(failing.Cell.GetProperty("reason").GetString());
        var box = await tip.BoundingBoxAsync();
        (box is { Width: > 100, Height: > 20 }).Should().BeTrue("the tooltip is open but has no room");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ResultsFolder(), "tooltip.png") });
        await page.Mouse.MoveAsync(0, 0);
    }

    private static async Task FailureFilterHidesPassingRowsAsync(IPage page)
    {
        var rows = page.Locator("table[data-matrix=features] tbody tr[data-row]");
        var total = await rows.CountAsync();
        await page.Locator("input[data-filter=features]").CheckAsync();
        var visible = await page.EvalOnSelectorAllAsync<int>("table[data-matrix=features] tbody tr[data-row]", "els => els.filter(e => e.offsetParent !== null).length");
        var interesting = await page.Locator("table[data-matrix=features] tbody tr[data-interesting=true]").CountAsync();
        visible.Should().Be(interesting);
        visible.Should().BeInRange(1, total - 1);
        await page.Locator("input[data-filter=features]").UncheckAsync();
    }

    private static string ResultsFolder()
    {
        var args = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, "--results-directory");
        var results = i >= 0 && i + 1 < args.Length ? args[i + 1] : Path.Combine(AppContext.BaseDirectory, "TestResults");
        return Directory.CreateDirectory(Path.Combine(results, "report-page")).FullName;
    }

    /// <summary>Runs <paramref name="script"/> on every element matching <paramref name="selector"/> and reads its result as JSON into records.</summary>
    private static async Task<T> EvalAllAsync<T>(IPage page, string selector, string script) =>
        JsonSerializer.Deserialize<T>(await page.EvalOnSelectorAllAsync<string>(selector, $"els => JSON.stringify(({script})(els))"), JsonDefaults.Compact)!;

    private static List<string> ProfileNames(JsonElement report) =>
        report.GetProperty("profiles").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToList();

    /// <summary>Into the test results folder (MTP's --results-directory, else bin/…/TestResults), and as an attachment.</summary>
    private static async Task SaveScreenshotAsync(IPage page, string reports)
    {
        var folder = ResultsFolder();
        await page.EvaluateAsync("window.scrollTo(0, 0)");
        var png = await page.ScreenshotAsync(new PageScreenshotOptions { FullPage = true, Path = Path.Combine(folder, "index.png") });
        (png.Length > 10_000).Should().BeTrue("the screenshot is suspiciously small");
        foreach (var name in new[] { "index.html", "report.json", "summary.md" })
            File.Copy(Path.Combine(reports, name), Path.Combine(folder, name), overwrite: true);
        TestContext.Current.AddAttachment("report-page.png", png, "image/png");
    }
}
