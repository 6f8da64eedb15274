using System.Text;
using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary><c>summary.md</c>: one table and the failures, short enough for a CI log or a chat message.</summary>
public static class MarkdownSummary
{
    public const string FileName = "summary.md";
    private const int MaxFailureLines = 15;

    public static string Render(CompatibilityReport report)
    {
        var md = new StringBuilder();
        md.AppendLine($"# LocalClaude compatibility · {ReportFormat.Timestamp(report.GeneratedAt)}").AppendLine();
        if (report.Profiles.Count == 0)
        {
            md.AppendLine("No result files.");
            return md.ToString();
        }
        md.AppendLine("| profile | llama-server | Claude Code | checks ✓ / ✗ / ≈ / n/a | tasks pass@1 | TTFB cold / warm | decode |")
          .AppendLine("|---|---|---|---|---|---|---|");
        foreach (var p in report.Profiles)
        {
            var perf = report.Performance.FirstOrDefault(x => x.Profile == p.Name);
            md.AppendLine($"| {Cell(p.Name)} | {Cell(p.ServerVersion ?? "–")} | {Cell(p.ClaudeCodeVersion ?? "–")} " +
                          $"| {p.Checks.Pass} / {p.Checks.Fail} / {p.Checks.KnownDeviation} / {p.Checks.NotApplicable} " +
                          $"| {ReportFormat.Percent(p.TaskPassAt1)} " +
                          $"| {Measured(perf, ReportMetrics.LongPromptTtfbCold)} / {Measured(perf, ReportMetrics.LongPromptTtfbWarm)} " +
                          $"| {Measured(perf, ReportMetrics.DecodeTokensPerSecond)} |");
        }

        var failures = report.Features
            .SelectMany(r => r.Cells.Where(c => c.Value.Outcome == CheckOutcome.Fail).Select(c => (Profile: c.Key, Row: r, Cell: c.Value)))
            .ToList();
        md.AppendLine();
        if (failures.Count == 0) md.AppendLine("No failing checks.");
        else
        {
            md.AppendLine($"**Failing checks ({failures.Count}):**").AppendLine();
            foreach (var (profile, row, cell) in failures.Take(MaxFailureLines))
                md.AppendLine($"- {profile}: `{row.Kind}/{row.Id}` {Text(OneLine(cell.Reason))}");
            if (failures.Count > MaxFailureLines) md.AppendLine($"- … and {failures.Count - MaxFailureLines} more (index.html)");
        }

        if (report.SincePrevious is { } since)
        {
            md.AppendLine().AppendLine($"**Since {ReportFormat.Timestamp(since.PreviousGeneratedAt)}:**").AppendLine();
            foreach (var p in since.Profiles)
            {
                var parts = new List<string>();
                if (p.PreviousServerVersion != p.ServerVersion) parts.Add($"llama-server {p.PreviousServerVersion ?? "?"} → {p.ServerVersion ?? "?"}");
                if (p.NewFailures.Count > 0) parts.Add($"new failures: {string.Join(", ", p.NewFailures.Select(f => $"`{f}`"))}");
                if (p.Fixes.Count > 0) parts.Add($"fixes: {string.Join(", ", p.Fixes.Select(f => $"`{f}`"))}");
                parts.AddRange(p.PerformanceChanges);
                md.AppendLine($"- {p.Profile}: {(parts.Count == 0 ? "no change" : string.Join("; ", parts))}");
            }
        }
        if (report.Warnings.Count > 0)
        {
            md.AppendLine().AppendLine("**Warnings:**").AppendLine();
            foreach (var w in report.Warnings) md.AppendLine($"- {Text(OneLine(w))}");
        }
        return md.ToString();
    }

    /// <summary>Median with n and min–max, e.g. <c>2.00 s (n=5, 1.90 s–2.10 s)</c>; a rough one says so.</summary>
    private static string Measured(ProfilePerformance? perf, MetricDefinition metric)
    {
        if (perf?.Get(metric) is not { } value) return "–";
        var spread = perf.Spread(metric.Name);
        var rough = spread?.IsRough == true && spread.N > 1 ? " rough" : "";
        return $"{ReportFormat.Metric(metric, value)}{ReportFormat.SpreadNote(spread, metric)}{rough}";
    }

    /// <summary>Text for a table cell: pipes escaped, one line, and angle brackets kept visible (a chat would read &lt;think&gt; as a tag).</summary>
    internal static string Cell(string text) => Text(text).Replace("|", "\\|").Replace("\n", " ");

    internal static string Text(string text) => text.Replace("<", "&lt;").Replace(">", "&gt;");

    internal static string OneLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length <= 160 ? line : line[..159] + "…";
    }
}
