using System.Text;

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
            md.AppendLine("| metric | baseline | candidate | change | threshold | verdict |").AppendLine("|---|---|---|---|---|---|");
            foreach (var m in gate.Metrics)
            {
                var definition = ReportMetrics.Find(m.Metric)!;
                var threshold = gate.Options.RelativeThreshold(definition) is { } t ? $"±{ReportFormat.Number(t * 100, "0")}%" : "–";
                var change = m.RelativeChange is { } r ? $"{(r >= 0 ? "+" : "−")}{ReportFormat.Number(Math.Abs(r) * 100, "0.0")}%" : "–";
                var what = !m.Significant ? "within threshold"
                    : m.Worse ? gate.Options.PerformanceFails ? "**slower (regression)**" : "slower (reported only)"
                    : "faster";
                md.AppendLine($"| `{m.Metric}` | {ReportFormat.Metric(definition, m.Baseline)} | {ReportFormat.Metric(definition, m.Candidate)} | {change} | {threshold} | {what} |");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

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
        md.AppendLine($"## {title}").AppendLine().AppendLine("| item | baseline | candidate | candidate says |").AppendLine("|---|---|---|---|");
        foreach (var x in c)
            md.AppendLine($"| `{x.Kind}/{x.Id}` | {ReportFormat.OutcomeOrMissing(x.Baseline)} | {ReportFormat.OutcomeOrMissing(x.Candidate)} | {MarkdownSummary.Cell(MarkdownSummary.OneLine(x.CandidateReason ?? ""))} |");
        foreach (var x in t)
            md.AppendLine($"| `task/{x.Task}` | {Trials(x.Baseline)} | {Trials(x.Candidate)} | |");
        md.AppendLine();
    }

    private static string Trials(TaskState? t) => t is null ? "not run" : $"{t.Passes}/{t.Trials} passed";
}
