using System.Globalization;
using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>Number and label formatting shared by the page, the summary and the gate (invariant culture, always).</summary>
public static class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Number(double value, string format = "0.###") => value.ToString(format, Invariant);

    public static string Seconds(double? seconds) => seconds switch
    {
        null => "–",
        < 1 => $"{Number(seconds.Value * 1000, "0")} ms",
        _ => $"{Number(seconds.Value, "0.00")} s",
    };

    public static string Percent(double? share) => share is null ? "–" : $"{Number(share.Value * 100, "0")}%";

    public static string Rate(double? perSecond) => perSecond is null ? "–" : $"{Number(perSecond.Value, "0.0")} tok/s";

    public static string Metric(MetricDefinition metric, double? value) => value is null ? "–" : metric.Unit switch
    {
        "s" => Seconds(value),
        "tok/s" => Rate(value),
        "share" => Percent(value),
        _ => $"{Number(value.Value)} {metric.Unit}",
    };

    /// <summary>e.g. <c>decode.tokens_per_s 120.0 tok/s → 95.0 tok/s (−21%, worse)</c> or <c>(… inconclusive: noisy …)</c>.</summary>
    public static string MetricChange(MetricComparison m)
    {
        var definition = ReportMetrics.Find(m.Metric);
        string Show(double v) => definition is null ? Number(v) : Metric(definition, v);
        var relative = m.RelativeChange is { } r ? $"{SignedPercent(r)}, " : "";
        var what = m.Verdict == PairedVerdict.Inconclusive ? $"inconclusive: {m.Why}" : m.Worse ? "worse" : "better";
        return $"{m.Metric} {Show(m.Baseline)}{SpreadNote(m.BaselineSpread)} → {Show(m.Candidate)}{SpreadNote(m.CandidateSpread)} ({relative}{what})";
    }

    /// <summary>e.g. <c>+4.7%</c>, <c>−8.4%</c>.</summary>
    public static string SignedPercent(double relative, string format = "0.0") => $"{(relative >= 0 ? "+" : "−")}{Number(Math.Abs(relative) * 100, format)}%";

    /// <summary>e.g. <c> (n=5, 1.90–2.10 s)</c> in the metric's unit; <c> (n=1)</c> for a single sample.</summary>
    public static string SpreadNote(SampleSpread? spread, MetricDefinition? metric = null)
    {
        if (spread is null) return "";
        if (spread.N == 1) return " (n=1)";
        string Show(double v) => metric is null ? Number(v) : Metric(metric, v);
        return $" (n={spread.N}, {Show(spread.Min)}–{Show(spread.Max)})";
    }

    /// <summary>The outcome as written in result files and in the page's <c>data-outcome</c>: <c>pass</c>, <c>fail</c>, <c>known-deviation</c>, <c>not-applicable</c>.</summary>
    public static string Outcome(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "pass",
        CheckOutcome.Fail => "fail",
        CheckOutcome.KnownDeviation => "known-deviation",
        CheckOutcome.NotApplicable => "not-applicable",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static string OutcomeOrMissing(CheckOutcome? outcome) => outcome is { } o ? Outcome(o) : "not run";

    public static string Timestamp(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant);

    public static string Counts(OutcomeCounts c) => $"{c.Pass} pass, {c.Fail} fail, {c.KnownDeviation} known dev., {c.NotApplicable} n/a";
}
