using System.Net;
using System.Text;
using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>
/// Renders a <see cref="CompatibilityReport"/> as one self-contained page: inline CSS, a few lines of inline JS,
/// inline SVG charts, and a Content-Security-Policy that forbids every network request. Matrix cells, table cells and
/// chart marks carry <c>data-*</c> attributes with the same values as report.json.
/// </summary>
public static class HtmlReport
{
    public const string FileName = "index.html";
    private const int ExcerptLimit = 700;

    /// <summary>The charts the page draws, by <c>data-chart</c> id.</summary>
    public static class Charts
    {
        public const string Ttfb = "ttfb";
        public const string Decode = "decode";
        public const string Parallel = "parallel";
        public const string CacheReuse = "cache-reuse";
        public const string TrendChecks = "trend-checks";
        public const string TrendDecode = "trend-decode";
        public const string TrendTtfb = "trend-ttfb";
    }

    public static string Render(CompatibilityReport report)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">")
            .Append($"<title>LocalClaude compatibility report · {E(ReportFormat.Timestamp(report.GeneratedAt))}</title>")
            .Append("<style>").Append(Css).Append("</style></head>\n<body>")
            .Append($"<header><h1>LocalClaude compatibility report</h1><p class=\"meta\" data-generated-at=\"{E(report.GeneratedAt.ToString("O"))}\">")
            .Append($"Generated {E(ReportFormat.Timestamp(report.GeneratedAt))} · schema {report.Schema}")
            .Append(report.SuiteCommit is { } c ? $" · suite commit <code>{E(c)}</code>" : "")
            .Append($" · {report.Profiles.Count} profile(s)</p>")
            .Append("<nav><a href=\"#versions\">Versions</a><a href=\"#features\">Feature matrix</a><a href=\"#capabilities\">Capability matrix</a>")
            .Append("<a href=\"#performance\">Performance</a><a href=\"#trends\">Trends</a><a href=\"#sources\">Sources</a></nav></header>\n<main>");
        Versions(html, report);
        Features(html, report);
        Capabilities(html, report);
        Performance(html, report);
        Trends(html, report);
        Sources(html, report);
        html.Append("</main><script>").Append(Script).Append("</script></body></html>\n");
        return html.ToString();
    }

    private static void Versions(StringBuilder html, CompatibilityReport report)
    {
        html.Append("<section id=\"versions\"><h2>Profiles and versions</h2>");
        if (report.Profiles.Count == 0)
        {
            html.Append("<p class=\"empty\">No result files.</p></section>");
            return;
        }
        html.Append("<table class=\"plain\"><thead><tr><th>Profile</th><th>llama-server</th><th>Commit</th><th>Build</th><th>Claude Code</th>")
            .Append("<th>NP</th><th>Machine</th><th>Ran</th><th>Results</th><th>Checks</th><th>Tasks pass@1</th></tr></thead><tbody>");
        foreach (var p in report.Profiles)
        {
            html.Append($"<tr data-profile=\"{E(p.Name)}\"><th scope=\"row\">{E(p.Name)}")
                .Append(p.Description is { } d ? $"<div class=\"desc\">{E(d)}</div>" : "")
                .Append(p.Synthetic == true ? "<div class=\"desc\">random weights</div>" : "").Append("</th>");
            Field(html, "server-version", p.ServerVersion);
            Field(html, "server-commit", p.ServerCommit);
            Field(html, "server-build", p.ServerBuild);
            Field(html, "claude-code-version", p.ClaudeCodeVersion);
            Field(html, "parallel-slots", p.ParallelSlots?.ToString());
            Field(html, "machine", p.Machine);
            Field(html, "started-at", p.StartedAt is { } s ? ReportFormat.Timestamp(s) : null);
            Field(html, "kinds", string.Join(", ", p.Kinds));
            html.Append($"<td data-field=\"checks\" data-pass=\"{p.Checks.Pass}\" data-fail=\"{p.Checks.Fail}\" data-known-deviation=\"{p.Checks.KnownDeviation}\" data-not-applicable=\"{p.Checks.NotApplicable}\">")
                .Append($"<span class=\"n o-pass\">{p.Checks.Pass}</span> <span class=\"n o-fail\">{p.Checks.Fail}</span> ")
                .Append($"<span class=\"n o-known-deviation\">{p.Checks.KnownDeviation}</span> <span class=\"n o-not-applicable\">{p.Checks.NotApplicable}</span></td>");
            Field(html, "task-pass-at-1", p.TaskPassAt1 is { } t ? ReportFormat.Percent(t) : null);
            html.Append("</tr>");
        }
        html.Append("</tbody></table><p class=\"legend\">Checks: <span class=\"n o-pass\">pass</span> <span class=\"n o-fail\">fail</span> ")
            .Append("<span class=\"n o-known-deviation\">known deviation</span> <span class=\"n o-not-applicable\">not applicable</span></p></section>\n");
    }

    private static void Field(StringBuilder html, string name, string? value) =>
        html.Append($"<td data-field=\"{name}\">{(value is null ? "<span class=\"none\">–</span>" : E(value))}</td>");

    private static void Features(StringBuilder html, CompatibilityReport report)
    {
        html.Append("<section id=\"features\"><h2>Feature matrix</h2>")
            .Append("<p>One row per conformance check and replayed session, one column per profile. Hover or focus a cell for the evidence.</p>");
        if (report.Features.Count == 0)
        {
            html.Append("<p class=\"empty\">No conformance or replay results.</p></section>");
            return;
        }
        html.Append("<label class=\"filter\"><input type=\"checkbox\" data-filter=\"features\"> only rows with a failure or a difference between profiles</label>")
            .Append("<table class=\"matrix\" data-matrix=\"features\"><thead><tr><th>Check</th>");
        ProfileHeaders(html, report);
        html.Append("</tr></thead><tbody>");
        string? group = null;
        foreach (var row in report.Features)
        {
            var rowGroup = $"{row.Kind} · {row.Area}";
            if (rowGroup != group)
            {
                group = rowGroup;
                html.Append($"<tr class=\"group\"><th colspan=\"{report.Profiles.Count + 1}\">{E(row.Kind == "conformance" ? row.Area : row.Area == row.Kind ? row.Kind : rowGroup)}</th></tr>");
            }
            var outcomes = report.Profiles.Select(p => row.Cells.TryGetValue(p.Name, out var c) ? ReportFormat.Outcome(c.Outcome) : "missing").ToList();
            var interesting = outcomes.Contains("fail") || outcomes.Distinct().Count() > 1;
            html.Append($"<tr data-row=\"{E(row.Kind)}/{E(row.Id)}\"{(interesting ? " data-interesting=\"true\"" : "")}>")
                .Append($"<th scope=\"row\"><code>{E(row.Id)}</code><div class=\"desc\">{E(row.Title)}</div></th>");
            foreach (var profile in report.Profiles)
            {
                var attributes = $"data-kind=\"{E(row.Kind)}\" data-check=\"{E(row.Id)}\" data-profile=\"{E(profile.Name)}\"";
                if (!row.Cells.TryGetValue(profile.Name, out var cell))
                {
                    html.Append($"<td class=\"cell o-missing\" {attributes} data-outcome=\"missing\" title=\"not run on this profile\">–</td>");
                    continue;
                }
                var outcome = ReportFormat.Outcome(cell.Outcome);
                html.Append($"<td class=\"cell o-{outcome}\" tabindex=\"0\" {attributes} data-outcome=\"{outcome}\">")
                    .Append($"<span class=\"mark\" aria-hidden=\"true\">{Mark(cell.Outcome)}</span><span class=\"label\">{E(Label(cell.Outcome))}</span>");
                EvidenceTip(html, row, cell);
                html.Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table></section>\n");
    }

    private static void ProfileHeaders(StringBuilder html, CompatibilityReport report)
    {
        foreach (var p in report.Profiles)
            html.Append($"<th scope=\"col\" data-profile=\"{E(p.Name)}\">{E(p.Name)}")
                .Append(p.ServerVersion is { } v ? $"<div class=\"desc\">{E(v)}</div>" : "").Append("</th>");
    }

    private static void EvidenceTip(StringBuilder html, FeatureRow row, FeatureCell cell)
    {
        html.Append("<div class=\"tip\" role=\"tooltip\">")
            .Append($"<div class=\"tip-head\"><b>{E(Label(cell.Outcome))}</b> · <code>{E(row.Id)}</code> · {E(ReportFormat.Seconds(cell.DurationSeconds))}</div>")
            .Append($"<p data-evidence=\"reason\">{E(cell.Reason)}</p>");
        if (cell.Evidence is { } ev)
        {
            if (ev.Route is { } route) html.Append($"<p data-evidence=\"route\"><b>Route:</b> {E(route)}</p>");
            if (ev.Status is { } status) html.Append($"<p data-evidence=\"status\"><b>HTTP status:</b> {status}</p>");
            if (ev.Note is { } note) html.Append($"<p data-evidence=\"note\"><b>Note:</b> {E(note)}</p>");
            if (ev.Request is { } request) html.Append($"<b>Request</b><pre data-evidence=\"request\">{E(Excerpt(request))}</pre>");
            if (ev.Response is { } response) html.Append($"<b>Response</b><pre data-evidence=\"response\">{E(Excerpt(response))}</pre>");
        }
        if (cell.Findings.Count > 0)
        {
            html.Append("<b>Findings</b><ul data-evidence=\"findings\">");
            foreach (var f in cell.Findings.Take(12))
                html.Append($"<li><code>{E(f.Id)}</code> {E(f.Severity)}{(f.Event is { } n ? $" at event {n}" : "")}: {E(f.Message)}</li>");
            if (cell.Findings.Count > 12) html.Append($"<li>… {cell.Findings.Count - 12} more in report.json</li>");
            html.Append("</ul>");
        }
        html.Append("</div>");
    }

    private static void Capabilities(StringBuilder html, CompatibilityReport report)
    {
        html.Append("<section id=\"capabilities\"><h2>Capability matrix</h2>")
            .Append("<p>Real Claude Code tasks per profile: passing trials / trials, pass@1, and pass@k with k the number of trials.</p>");
        if (report.Capabilities.Count == 0)
        {
            html.Append("<p class=\"empty\">No E2E task results.</p></section>");
            return;
        }
        html.Append("<table class=\"matrix\" data-matrix=\"capabilities\"><thead><tr><th>Task</th>");
        ProfileHeaders(html, report);
        html.Append("</tr></thead><tbody>");
        foreach (var row in report.Capabilities)
        {
            html.Append($"<tr data-row=\"{E(row.Task)}\"><th scope=\"row\"><code>{E(row.Task)}</code><div class=\"desc\">{E(row.Category)}</div></th>");
            foreach (var profile in report.Profiles)
            {
                var attributes = $"data-task=\"{E(row.Task)}\" data-profile=\"{E(profile.Name)}\"";
                if (!row.Cells.TryGetValue(profile.Name, out var cell))
                {
                    html.Append($"<td class=\"cell o-missing\" {attributes} data-trials=\"0\" title=\"not run on this profile\">–</td>");
                    continue;
                }
                var tone = cell.Passes == 0 ? "fail" : cell.Passes == cell.Trials ? "pass" : "known-deviation";
                html.Append($"<td class=\"cell o-{tone}\" tabindex=\"0\" {attributes} data-trials=\"{cell.Trials}\" data-passes=\"{cell.Passes}\" ")
                    .Append($"data-pass-at-1=\"{ReportFormat.Number(cell.PassAt1, "0.####")}\" data-pass-at-k=\"{ReportFormat.Number(cell.PassAtK, "0.####")}\" ")
                    .Append($"data-k=\"{cell.K}\" data-median-s=\"{ReportFormat.Number(cell.MedianWallSeconds, "0.###")}\">")
                    .Append($"<span class=\"label\">{cell.Passes}/{cell.Trials}</span> <span class=\"sub\">{ReportFormat.Percent(cell.PassAt1)}</span>")
                    .Append("<div class=\"tip\" role=\"tooltip\">")
                    .Append($"<div class=\"tip-head\"><code>{E(row.Task)}</code> on {E(profile.Name)}</div>")
                    .Append($"<p>pass@1 {ReportFormat.Percent(cell.PassAt1)} · pass@{cell.K} {ReportFormat.Percent(cell.PassAtK)} · median {E(ReportFormat.Seconds(cell.MedianWallSeconds))}</p>");
                if (cell.FailureKinds.Count > 0)
                    html.Append("<p><b>Failures:</b> ").Append(E(string.Join(", ", cell.FailureKinds.Select(k => $"{k.Key} ×{k.Value}")))).Append("</p>");
                html.Append("</div></td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table></section>\n");
    }

    private static void Performance(StringBuilder html, CompatibilityReport report)
    {
        html.Append("<section id=\"performance\"><h2>Performance</h2>");
        var perf = report.Performance;
        if (perf.Count == 0 && report.CacheReuse.Count == 0)
        {
            html.Append("<p class=\"empty\">No measurements.</p></section>");
            return;
        }
        html.Append("<div class=\"charts\">");
        var groups = perf.Select(p => Group(p.Profile, ("data-profile", p.Profile))).ToList();
        MetricChart(html, Charts.Ttfb, "Time to first byte, long prompt: cold and warm (prompt cache)", perf, groups,
            [ReportMetrics.LongPromptTtfbCold, ReportMetrics.LongPromptTtfbWarm], v => ReportFormat.Seconds(v));
        MetricChart(html, Charts.Decode, "Decode speed, one request alone", perf, groups,
            [ReportMetrics.DecodeTokensPerSecond], v => ReportFormat.Number(v, "0.#"));
        ParallelChart(html, perf);
        if (report.CacheReuse.Count > 0)
        {
            var sessions = report.CacheReuse.Select(r => Group($"{r.Profile} · {r.Session}", ("data-profile", r.Profile), ("data-session", r.Session))).ToList();
            Figure(html, Charts.CacheReuse, "Prompt-cache reuse per replayed session (share of prompt tokens read from the cache)", SvgChart.Bars(
                Charts.CacheReuse, "Prompt-cache reuse per replayed session", v => ReportFormat.Percent(v / 100), sessions,
                [new ChartSeries("cached share of prompt tokens", Attrs(("data-metric", "token-share-percent")),
                    report.CacheReuse.Select(r => r.TokenShare * 100).ToList())]));
        }
        html.Append("</div>");
        PerformanceTable(html, report);
        CacheTable(html, report);
        html.Append("</section>\n");
    }

    private static void MetricChart(StringBuilder html, string id, string title, IReadOnlyList<ProfilePerformance> perf,
        IReadOnlyList<ChartGroup> groups, IReadOnlyList<MetricDefinition> metrics, Func<double, string> format)
    {
        if (!perf.Any(p => metrics.Any(m => p.Get(m) is not null))) return;
        var series = metrics.Select(m => new ChartSeries(m.Description, Attrs(("data-metric", m.Name)), perf.Select(p => p.Get(m)).ToList())
        {
            Spreads = perf.Select(p => p.Spread(m.Name)).ToList(),
        }).ToList();
        Figure(html, id, title, SvgChart.Bars(id, title, format, groups, series));
    }

    /// <summary>One group per profile and slot count: the main call alone, beside the title call, and the title call.</summary>
    private static void ParallelChart(StringBuilder html, IReadOnlyList<ProfilePerformance> perf)
    {
        var quantities = new Func<int, MetricDefinition>[] { ReportMetrics.MainAlone, ReportMetrics.MainBesideTitle, ReportMetrics.Title };
        var groups = perf
            .SelectMany(p => ReportMetrics.ConcurrencySlots.Select(n => (Profile: p, Slots: n)))
            .Where(g => quantities.Any(q => g.Profile.Get(q(g.Slots)) is not null))
            .ToList();
        if (groups.Count == 0) return;
        var series = quantities.Select(q => new ChartSeries(
            q(1).Description["NP=1: ".Length..],
            new Dictionary<string, string>(),
            groups.Select(g => g.Profile.Get(q(g.Slots))).ToList())
        {
            ValueAttributes = groups.Select(g => Attrs(("data-metric", q(g.Slots).Name))).ToList(),
        }).ToList();
        const string title = "Claude Code's title call beside the main call: NP=1 against NP=2";
        Figure(html, Charts.Parallel, title, SvgChart.Bars(Charts.Parallel, title, v => ReportFormat.Seconds(v),
            groups.Select(g => Group($"{g.Profile.Profile} · NP={g.Slots}", ("data-profile", g.Profile.Profile), ("data-slots", g.Slots.ToString()))).ToList(),
            series));
    }

    private static void Figure(StringBuilder html, string id, string caption, string svg) =>
        html.Append($"<figure data-figure=\"{E(id)}\"><figcaption>{E(caption)}</figcaption>{svg}</figure>");

    private static void PerformanceTable(StringBuilder html, CompatibilityReport report)
    {
        var names = ReportMetrics.All.Select(m => m.Name)
            .Concat(report.Performance.SelectMany(p => p.Metrics.Keys).Order(StringComparer.Ordinal))
            .Distinct()
            .Where(n => report.Performance.Any(p => p.Metrics.ContainsKey(n)))
            .ToList();
        if (names.Count == 0) return;
        html.Append("<h3>All measurements</h3><p class=\"note\">Each value is the median of n samples, with their min–max; ")
            .Append($"a value with fewer than {PairedComparison.MinimumForVerdict} samples or a min–max wider than {ReportFormat.Percent(SampleSpread.TooWideAbove)} of the median is marked rough.</p>")
            .Append("<table class=\"plain numbers\" data-table=\"metrics\"><thead><tr><th>Metric</th>");
        foreach (var p in report.Performance) html.Append($"<th data-profile=\"{E(p.Profile)}\">{E(p.Profile)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var name in names)
        {
            var definition = ReportMetrics.Find(name);
            html.Append($"<tr><th scope=\"row\"><code>{E(name)}</code>{(definition is null ? "" : $"<div class=\"desc\">{E(definition.Description)}</div>")}</th>");
            foreach (var p in report.Performance)
            {
                if (!p.Metrics.TryGetValue(name, out var value)) { html.Append("<td class=\"none\">–</td>"); continue; }
                var shown = definition is null ? ReportFormat.Number(value) : ReportFormat.Metric(definition, value);
                var spread = p.Spread(name)!;
                var rough = spread.Roughness is { } why ? $" class=\"rough\" title=\"{E(why)}\"" : "";
                html.Append($"<td data-profile=\"{E(p.Profile)}\" data-metric=\"{E(name)}\" data-value=\"{ReportFormat.Number(value, "0.######")}\" data-n=\"{spread.N}\"")
                    .Append($" data-min=\"{ReportFormat.Number(spread.Min, "0.######")}\" data-max=\"{ReportFormat.Number(spread.Max, "0.######")}\"{rough}>")
                    .Append($"{E(shown)}<span class=\"spread\">{E(ReportFormat.SpreadNote(spread, definition))}</span></td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void CacheTable(StringBuilder html, CompatibilityReport report)
    {
        if (report.CacheReuse.Count == 0) return;
        html.Append("<h3>Prompt cache per replayed session</h3><table class=\"plain numbers\" data-table=\"cache-reuse\"><thead><tr>")
            .Append("<th>Profile</th><th>Session</th><th>Requests</th><th>Prompt tokens</th><th>Read from cache</th><th>Share</th><th>Mean per turn</th><th>Median TTFB</th></tr></thead><tbody>");
        foreach (var r in report.CacheReuse)
            html.Append($"<tr data-profile=\"{E(r.Profile)}\" data-session=\"{E(r.Session)}\"><td>{E(r.Profile)}</td><td><code>{E(r.Session)}</code></td>")
                .Append($"<td>{r.Requests}</td><td>{r.PromptTokens}</td><td>{r.CacheReadTokens}</td><td>{ReportFormat.Percent(r.TokenShare)}</td>")
                .Append($"<td>{ReportFormat.Percent(r.MeanTurnShare)}</td><td>{E(ReportFormat.Seconds(r.MedianTtfbSeconds))}</td></tr>");
        html.Append("</tbody></table>");
    }

    private static void Trends(StringBuilder html, CompatibilityReport report)
    {
        html.Append("<section id=\"trends\"><h2>Trends</h2>");
        if (report.Trends.Count < 2)
        {
            html.Append("<p class=\"empty\">No earlier reports in <code>history/</code> yet: trends start with the next report.</p></section>\n");
            return;
        }
        var points = report.Trends.Select(t => Group(t.GeneratedAt.ToUniversalTime().ToString("MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), ("data-at", t.GeneratedAt.ToString("O")))).ToList();
        var profiles = report.Trends.SelectMany(t => t.Profiles.Select(p => p.Profile)).Distinct().ToList();
        List<ChartSeries> Series(string metric, Func<ProfileTrend, double?> value, Func<ProfileTrend, SampleSpread?>? spread = null) => profiles.Select(name => new ChartSeries(name,
            Attrs(("data-profile", name), ("data-metric", metric)),
            report.Trends.Select(t => t.Profiles.FirstOrDefault(p => p.Profile == name) is { } p ? value(p) : null).ToList())
        {
            Spreads = spread is null ? null : report.Trends.Select(t => t.Profiles.FirstOrDefault(p => p.Profile == name) is { } p ? spread(p) : null).ToList(),
        }).ToList();

        html.Append("<div class=\"charts\">");
        Figure(html, Charts.TrendChecks, "Checks passed per report", SvgChart.Lines(Charts.TrendChecks, "Checks passed per report",
            v => ReportFormat.Number(v, "0"), points, Series("checks-pass", p => p.Checks.Pass)));
        var decode = Series(ReportMetrics.DecodeTokensPerSecond.Name, p => p.DecodeTokensPerSecond, p => p.DecodeSpread);
        if (decode.Any(s => s.Values.Any(v => v is not null)))
            Figure(html, Charts.TrendDecode, "Decode speed per report (tok/s)", SvgChart.Lines(Charts.TrendDecode, "Decode speed per report",
                v => ReportFormat.Number(v, "0.#"), points, decode));
        var ttfb = Series(ReportMetrics.LongPromptTtfbCold.Name, p => p.TtfbColdSeconds, p => p.TtfbColdSpread);
        if (ttfb.Any(s => s.Values.Any(v => v is not null)))
            Figure(html, Charts.TrendTtfb, "Cold time to first byte per report", SvgChart.Lines(Charts.TrendTtfb, "Cold time to first byte per report",
                v => ReportFormat.Seconds(v), points, ttfb));
        html.Append("</div>");
        html.Append("<p class=\"note\" data-note=\"rough-points\">Whiskers run from the fastest to the slowest sample of a run. A hollow point is rough: ")
            .Append($"a single sample (every report before result schema 2) or a spread wider than {ReportFormat.Percent(SampleSpread.TooWideAbove)} of the median. ")
            .Append("Read it as a range: a step between hollow points is not a regression until a paired gate says so.</p>");

        if (report.SincePrevious is { } since)
        {
            html.Append($"<h3>Since {E(ReportFormat.Timestamp(since.PreviousGeneratedAt))}</h3><table class=\"plain\" data-table=\"since-previous\"><thead><tr>")
                .Append("<th>Profile</th><th>llama-server</th><th>New failures</th><th>Fixes</th><th>Performance beyond threshold</th></tr></thead><tbody>");
            foreach (var p in since.Profiles)
            {
                var versions = p.PreviousServerVersion == p.ServerVersion ? p.ServerVersion ?? "–" : $"{p.PreviousServerVersion ?? "?"} → {p.ServerVersion ?? "?"}";
                html.Append($"<tr data-profile=\"{E(p.Profile)}\"><th scope=\"row\">{E(p.Profile)}</th><td>{E(versions)}</td>")
                    .Append($"<td class=\"{(p.NewFailures.Count > 0 ? "bad" : "")}\" data-count=\"{p.NewFailures.Count}\">{List(p.NewFailures)}</td>")
                    .Append($"<td data-count=\"{p.Fixes.Count}\">{List(p.Fixes)}</td><td>{List(p.PerformanceChanges)}</td></tr>");
            }
            html.Append("</tbody></table>");
        }
        html.Append("</section>\n");
    }

    private static string List(IReadOnlyList<string> items) =>
        items.Count == 0 ? "<span class=\"none\">none</span>" : string.Join("<br>", items.Select(i => $"<code>{E(i)}</code>"));

    private static void Sources(StringBuilder html, CompatibilityReport report)
    {
        html.Append("<section id=\"sources\"><h2>Sources</h2><table class=\"plain\"><thead><tr><th>Kind</th><th>Profile</th><th>Machine</th>")
            .Append("<th>Started</th><th>Duration</th><th>File</th><th>Command</th></tr></thead><tbody>");
        foreach (var s in report.Sources)
            html.Append($"<tr><td>{E(s.Kind)}</td><td>{E(s.Profile)}</td><td>{E(s.Machine)}</td><td>{E(ReportFormat.Timestamp(s.StartedAt))}</td>")
                .Append($"<td>{E(ReportFormat.Seconds(s.DurationSeconds))}</td><td><code>{E(s.Path ?? "–")}</code></td><td><code>{E(s.Command ?? "–")}</code></td></tr>");
        html.Append("</tbody></table>");
        if (report.Warnings.Count > 0)
        {
            html.Append("<h3>Warnings</h3><ul class=\"warnings\">");
            foreach (var w in report.Warnings) html.Append($"<li>{E(w)}</li>");
            html.Append("</ul>");
        }
        html.Append("</section>\n");
    }

    private static ChartGroup Group(string label, params (string Name, string Value)[] attributes) => new(label, Attrs(attributes));

    private static IReadOnlyDictionary<string, string> Attrs(params (string Name, string Value)[] attributes) =>
        attributes.ToDictionary(a => a.Name, a => a.Value);

    private static string Mark(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "✓",
        CheckOutcome.Fail => "✗",
        CheckOutcome.KnownDeviation => "≈",
        _ => "–",
    };

    private static string Label(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.KnownDeviation => "known deviation",
        CheckOutcome.NotApplicable => "n/a",
        _ => ReportFormat.Outcome(outcome),
    };

    private static string Excerpt(string text) => text.Length <= ExcerptLimit ? text : text[..ExcerptLimit] + $"… ({text.Length} chars in report.json)";

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private const string Css = """
        :root{--pass:#d5f0dc;--pass-ink:#1d6b35;--fail:#f8d3d0;--fail-ink:#9b1c14;--dev:#fbe8c4;--dev-ink:#8a5a00;--na:#e8eaed;--na-ink:#555;--line:#d8dce1}
        *{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fafbfc}
        header{padding:16px 24px;background:#fff;border-bottom:1px solid var(--line)}h1{margin:0 0 4px;font-size:22px}.meta{margin:0;color:#57606a}
        nav{margin-top:8px}nav a{margin-right:16px;color:#2f6fb3;text-decoration:none}main{padding:8px 24px 48px}
        section{margin:24px 0}h2{font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px}
        table{border-collapse:collapse;background:#fff}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
        thead th{background:#f1f3f5}.matrix thead th{position:sticky;top:0;z-index:2}.desc{font-weight:normal;color:#57606a;font-size:12px}
        .group th{background:#eef2f7;font-weight:600}.matrix td.cell{position:relative;text-align:center;min-width:110px;cursor:default;white-space:nowrap}
        .o-pass{background:var(--pass);color:var(--pass-ink)}.o-fail{background:var(--fail);color:var(--fail-ink)}
        .o-known-deviation{background:var(--dev);color:var(--dev-ink)}.o-not-applicable{background:var(--na);color:var(--na-ink)}
        .o-missing{background:#fff;color:#aaa}.mark{font-weight:700;margin-right:4px}.sub{color:#57606a;font-size:12px}
        .n{display:inline-block;min-width:2em;text-align:center;border-radius:3px;padding:0 3px}
        .tip{display:none;position:absolute;left:0;top:100%;z-index:20;width:36em;max-width:80vw;text-align:left;white-space:normal;
          background:#fff;color:#1f2328;border:1px solid #8c959f;border-radius:6px;padding:8px 10px;box-shadow:0 4px 14px rgba(0,0,0,.18);font-size:12px}
        .matrix td.cell:nth-last-child(-n+2) .tip{left:auto;right:0}
        .cell:hover .tip,.cell:focus .tip{display:block}.tip pre{white-space:pre-wrap;word-break:break-all;max-height:14em;overflow:auto;background:#f6f8fa;padding:4px;margin:2px 0 6px}
        .tip p{margin:4px 0}.tip ul{margin:2px 0;padding-left:18px}.tip-head{margin-bottom:4px}
        .charts{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;max-width:100%;overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px}
        figcaption{font-weight:600;margin-bottom:4px;max-width:60em}svg.chart{display:block}svg .grid{stroke:#e5e8eb}svg .axis{stroke:#8c959f}
        svg text{font-size:11px;fill:#3d444d}svg text.value{font-size:10px}.numbers td{text-align:right;font-variant-numeric:tabular-nums}
        .none{color:#aaa}.empty{color:#57606a;font-style:italic}.bad{background:var(--fail)}.filter{display:block;margin:8px 0}
        .warnings li{color:#8a5a00}tr.hidden{display:none}code{font-size:12px}
        """;

    // Only the failure filter; the page works without script.
    private const string Script = """
        document.querySelectorAll('input[data-filter]').forEach(function (box) {
          box.addEventListener('change', function () {
            var table = document.querySelector('table[data-matrix="' + box.dataset.filter + '"]');
            table.querySelectorAll('tbody tr').forEach(function (row) {
              var keep = !box.checked || row.classList.contains('group') || row.dataset.interesting === 'true';
              row.classList.toggle('hidden', !keep);
            });
          });
        });
        """;
}
