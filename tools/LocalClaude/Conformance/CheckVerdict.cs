using LocalClaude.Protocol;
using LocalClaude.Results;

namespace LocalClaude.Conformance;

/// <summary>What one check concluded, before the runner stamps it with id, area and timing.</summary>
public sealed record CheckVerdict(CheckOutcome Outcome, string Reason)
{
    public Evidence? Evidence { get; init; }
    public IReadOnlyList<FindingRecord> Findings { get; init; } = [];
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public IReadOnlyDictionary<string, IReadOnlyList<double>> MetricSamples { get; init; } = new Dictionary<string, IReadOnlyList<double>>();

    public static CheckVerdict Pass(string reason) => new(CheckOutcome.Pass, reason);
    public static CheckVerdict Fail(string reason) => new(CheckOutcome.Fail, reason);
    public static CheckVerdict Deviation(string reason) => new(CheckOutcome.KnownDeviation, reason);
    public static CheckVerdict NotApplicable(string reason) => new(CheckOutcome.NotApplicable, reason);

    public CheckVerdict With(CheckedExchange exchange, string? route = null, string? note = null) => this with
    {
        Evidence = exchange.ToEvidence(route, note),
        Findings = [.. Findings.Concat(exchange.FindingRecords()).Distinct()],
    };

    public CheckVerdict WithMetric(string name, double value) =>
        this with { Metrics = new Dictionary<string, double>(Metrics) { [name] = Math.Round(value, 4) } };

    /// <summary>A metric measured several times: its median as the metric, every sample kept beside it.</summary>
    public CheckVerdict WithSamples(Results.MetricDefinition metric, IReadOnlyList<double> samples)
    {
        var kept = samples.Where(v => !double.IsNaN(v)).Select(v => Math.Round(v, 4)).ToList();
        if (kept.Count == 0) return this;
        return WithMetric(metric.Name, SampleSpread.Of(kept).Median) with
        {
            MetricSamples = new Dictionary<string, IReadOnlyList<double>>(MetricSamples) { [metric.Name] = kept },
        };
    }

    /// <summary>A metric the report and the gate know by name (<see cref="Results.ReportMetrics"/>).</summary>
    public CheckVerdict WithMetric(Results.MetricDefinition metric, double value) => WithMetric(metric.Name, value);

    /// <summary>
    /// Deviations every answer of a server shows (ids not shaped like Anthropic's, empty thinking signatures). They are judged once, by the checks
    /// about message shape, so that they do not turn every other check into a known deviation; they stay in the evidence.
    /// </summary>
    public static readonly IReadOnlySet<string> AmbientDeviations = new HashSet<string> { "message.id-prefix", "message.tool-id-prefix", "message.thinking-signature-missing" };

    /// <summary>
    /// The protocol findings decide unless the check already failed: a violation or client-break fails,
    /// a deviation makes it a known deviation, notes do not count. Ambient deviations count only when asked.
    /// </summary>
    public CheckVerdict JudgedBy(params CheckedExchange[] exchanges) => Judge(exchanges, includeAmbient: false);

    /// <summary>As <see cref="JudgedBy"/>, and the ambient deviations count too (for the message-shape checks).</summary>
    public CheckVerdict JudgedWithAmbientBy(params CheckedExchange[] exchanges) => Judge(exchanges, includeAmbient: true);

    private CheckVerdict Judge(CheckedExchange[] exchanges, bool includeAmbient)
    {
        var all = exchanges.SelectMany(e => e.Findings)
            .Where(f => includeAmbient || f.Severity != FindingSeverity.Deviation || !AmbientDeviations.Contains(f.Id))
            .ToList();
        var verdict = this with { Findings = [.. Findings.Concat(exchanges.SelectMany(e => e.FindingRecords())).Distinct()] };
        if (verdict.Evidence is null && exchanges.Length > 0) verdict = verdict with { Evidence = exchanges[^1].ToEvidence() };
        if (Outcome is CheckOutcome.Fail or CheckOutcome.NotApplicable) return verdict;
        if (all.FirstOrDefault(f => f.IsBlocking) is { } blocking)
            return verdict with { Outcome = CheckOutcome.Fail, Reason = $"{blocking.Id}: {blocking.Message}" };
        if (all.FirstOrDefault(f => f.Severity == FindingSeverity.Deviation) is { } deviation && Outcome == CheckOutcome.Pass)
            return verdict with { Outcome = CheckOutcome.KnownDeviation, Reason = $"{Reason}; {deviation.Id}: {deviation.Message}" };
        return verdict;
    }
}
