using System.Text;
using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>The gate's table: what it printed is what it decided (the exit code is in the first line).</summary>
public static class GateMarkdown
{
    public const string FileName = "gate.md";

    public static string Render(GateResult gate)
    {
        var md = new StringBuilder();
        var verdict = gate.ExitCode == GateResult.Passed ? "PASS: nothing regressed" : $"FAIL: {gate.RegressionCount} regression(s)";
        md.AppendLine($"# Gate · {gate.Profile} · {verdict} (exit {gate.ExitCode})").AppendLine()
          .AppendLine("| | baseline | candidate |").AppendLine("|---|---|---|")
          .AppendLine($"| source | `{MarkdownSummary.Cell(gate.Baseline.Label)}` | `{MarkdownSummary.Cell(gate.Candidate.Label)}` |")
          .AppendLine($"| llama-server | {MarkdownSummary.Cell(gate.Baseline.ServerVersion ?? "–")} | {MarkdownSummary.Cell(gate.Candidate.ServerVersion ?? "–")} |")
          .AppendLine();

        Count(md, "Checks", gate.Checks.Select(c => c.Change));
        Count(md, "Tasks", gate.Tasks.Select(t => t.Change));
        md.AppendLine();

        Section(md, "Regressions (new failures)", gate.Checks.Where(c => c.Change == ChangeKind.Regression),
            gate.Tasks.Where(t => t.Change == ChangeKind.Regression));
        Section(md, "Fixes", gate.Checks.Where(c => c.Change == ChangeKind.Fix), gate.Tasks.Where(t => t.Change == ChangeKind.Fix));
        Section(md, "Changed (not a failure)", gate.Checks.Where(c => c.Change == ChangeKind.Changed), gate.Tasks.Where(t => t.Change == ChangeKind.Changed));
        Section(md, "Not compared (ran on one side only)", gate.Checks.Where(c => c.Change == ChangeKind.NotCompared),
            gate.Tasks.Where(t => t.Change == ChangeKind.NotCompared));

        md.AppendLine("## Performance").AppendLine();
        if (gate.Metrics.Count == 0) md.AppendLine("No TTFB or decode-speed metric on both sides.").AppendLine();
        else
        {
            md.AppendLine(gate.PairedRounds > 0
                ? $"Both builds measured in turn ({gate.PairedRounds} rounds, A B / B A alternating); change = median of the per-pair ratios, interval = {ReportFormat.Number(Results.PairedComparison.Confidence * 100, "0")}% bootstrap interval of it."
                : "Each side's own run (not interleaved): change = ratio of the medians; a single sample (n=1) gives no verdict on a difference.")
              .AppendLine()
              .AppendLine("| metric | baseline median (n, min–max) | candidate median (n, min–max) | change | interval | threshold | verdict |")
              .AppendLine("|---|---|---|---|---|---|---|");
            foreach (var m in gate.Metrics)
            {
                var definition = ReportMetrics.Find(m.Metric)!;
                var threshold = gate.Options.RelativeThreshold(definition) is { } t ? $"±{ReportFormat.Number(t * 100, "0")}%" : "–";
                var change = m.RelativeChange is { } r ? ReportFormat.SignedPercent(r) : "–";
                var interval = m.RatioLow is { } lo && m.RatioHigh is { } hi && (m.BaselineSpread?.N ?? 1) > 1
                    ? $"{ReportFormat.SignedPercent(lo - 1)} … {ReportFormat.SignedPercent(hi - 1)}" : "–";
                var what = m.Verdict switch
                {
                    Results.PairedVerdict.NoChange => "no change (within threshold)",
                    Results.PairedVerdict.Better => "faster",
                    Results.PairedVerdict.Worse => gate.Options.PerformanceFails ? "**slower (regression)**" : "slower (reported only)",
                    _ => m.IsNoisySlowdown && gate.Options.Strict && gate.Options.PerformanceFails
                        ? $"**inconclusive (noisy), fails with --strict**: {m.Why}"
                        : $"inconclusive (noisy): {m.Why}",
                };
                md.AppendLine($"| `{m.Metric}` | {Side(definition, m.Baseline, m.BaselineSpread)} | {Side(definition, m.Candidate, m.CandidateSpread)} | {change} | {interval} | {threshold} | {MarkdownSummary.Cell(what)} |");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    private static string Side(MetricDefinition definition, double median, Results.SampleSpread? spread) =>
        spread is null || spread.N == 1
            ? $"{ReportFormat.Metric(definition, median)} (n=1)"
            : $"{ReportFormat.Metric(definition, median)} (n={spread.N}, {ReportFormat.Metric(definition, spread.Min)}–{ReportFormat.Metric(definition, spread.Max)})";

    private static void Count(StringBuilder md, string what, IEnumerable<ChangeKind> changes)
    {
        var list = changes.ToList();
        int N(ChangeKind k) => list.Count(c => c == k);
        md.AppendLine($"- {what}: {N(ChangeKind.Regression)} regressed, {N(ChangeKind.Fix)} fixed, {N(ChangeKind.Unchanged)} unchanged, " +
                      $"{N(ChangeKind.Changed)} changed, {N(ChangeKind.NotCompared)} not compared");
    }

    private static void Section(StringBuilder md, string title, IEnumerable<CheckComparison> checks, IEnumerable<TaskComparison> tasks)
    {
        var c = checks.ToList();
        var t = tasks.ToList();
        if (c.Count == 0 && t.Count == 0) return;
        md.AppendLine($"## {title}").AppendLine().AppendLine("| item | baseline | candidate | says (candidate, or the server's words) |").AppendLine("|---|---|---|---|");
        foreach (var x in c)
            md.AppendLine($"| `{x.Kind}/{x.Id}` | {ReportFormat.OutcomeOrMissing(x.Baseline)} | {ReportFormat.OutcomeOrMissing(x.Candidate)} | {MarkdownSummary.Cell(MarkdownSummary.OneLine(x.CandidateReason ?? ""))} |");
        foreach (var x in t)
            md.AppendLine($"| `task/{x.Task}` | {MarkdownSummary.Cell(Trials(x.Baseline))} | {MarkdownSummary.Cell(Trials(x.Candidate))} | {MarkdownSummary.Cell(ServerSays(x))} |");
        md.AppendLine();
    }

    /// <summary>e.g. <c>0/1 passed; api-error ×1; 2 API errors</c>.</summary>
    private static string Trials(TaskState? t)
    {
        if (t is null) return "not run";
        var parts = new List<string> { $"{t.Passes}/{t.Trials} passed" };
        if (t.FailureKinds is { Count: > 0 } kinds) parts.Add(string.Join(", ", kinds.Select(k => $"{k.Key} ×{k.Value}")));
        if (t.StatusApiErrors > 0) parts.Add($"{t.StatusApiErrors} API error(s)");
        return string.Join("; ", parts);
    }

    /// <summary>The server's own words for a rejected request, from whichever side has them (the candidate first).</summary>
    private static string ServerSays(TaskComparison x)
    {
        var side = x.Candidate?.Rejections is { Count: > 0 } ? ("candidate", x.Candidate.Rejections)
            : x.Baseline?.Rejections is { Count: > 0 } ? ("baseline", x.Baseline.Rejections) : default;
        if (side.Item2 is null) return "";
        var first = side.Item2[0];
        return $"{side.Item1}: HTTP {first.Status?.ToString() ?? "?"} {MarkdownSummary.OneLine(first.Message)}";
    }
}
