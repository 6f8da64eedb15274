using System.Text.Json;
using LocalClaude.Infrastructure;
using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>
/// Everything the report page shows, as <c>report.json</c>. The page and <c>summary.md</c> are rendered from this
/// alone, so a test can hold the page against the file. Bump <see cref="CurrentSchema"/> on any breaking change.
/// </summary>
public sealed record CompatibilityReport
{
    /// <summary>2: performance carries the samples and spread of each metric, trends their spread, capability cells API errors and rejections.</summary>
    public const int CurrentSchema = 2;
    public const string FileName = "report.json";

    public int Schema { get; init; } = CurrentSchema;
    public required DateTimeOffset GeneratedAt { get; init; }
    public string? SuiteCommit { get; init; }
    /// <summary>One column per profile, in the order the matrices use.</summary>
    public IReadOnlyList<ProfileColumn> Profiles { get; init; } = [];
    /// <summary>Check × profile, for conformance checks and replayed sessions.</summary>
    public IReadOnlyList<FeatureRow> Features { get; init; } = [];
    /// <summary>Task × profile, from the E2E trials (control backends left out).</summary>
    public IReadOnlyList<CapabilityRow> Capabilities { get; init; } = [];
    public IReadOnlyList<ProfilePerformance> Performance { get; init; } = [];
    /// <summary>Prompt-cache reuse per replayed session.</summary>
    public IReadOnlyList<CacheReuseRow> CacheReuse { get; init; } = [];
    /// <summary>Earlier reports and this one, oldest first.</summary>
    public IReadOnlyList<TrendPoint> Trends { get; init; } = [];
    /// <summary>What changed since the newest earlier report (null when there is none).</summary>
    public ChangesSincePrevious? SincePrevious { get; init; }
    public IReadOnlyList<ReportSource> Sources { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public static JsonSerializerOptions Json => ResultFile.Json;

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    public static CompatibilityReport Parse(string json, string source)
    {
        try
        {
            var report = JsonSerializer.Deserialize<CompatibilityReport>(json, Json)
                ?? throw new InvalidDataException($"{source}: empty report");
            if (report.Schema > CurrentSchema)
                throw new InvalidDataException($"{source}: report schema {report.Schema} is newer than this tool's ({CurrentSchema})");
            return report;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a report.json (line {e.LineNumber + 1}): {e.Message}", e);
        }
    }

    public static CompatibilityReport Load(string path) => Parse(File.ReadAllText(path), path);
}

public sealed record OutcomeCounts(int Pass, int Fail, int KnownDeviation, int NotApplicable)
{
    public static OutcomeCounts None { get; } = new(0, 0, 0, 0);
    public int Total => Pass + Fail + KnownDeviation + NotApplicable;

    public static OutcomeCounts Of(IEnumerable<CheckOutcome> outcomes)
    {
        var list = outcomes.ToList();
        return new(list.Count(o => o == CheckOutcome.Pass), list.Count(o => o == CheckOutcome.Fail),
            list.Count(o => o == CheckOutcome.KnownDeviation), list.Count(o => o == CheckOutcome.NotApplicable));
    }
}

/// <summary>A profile and the builds it ran on.</summary>
public sealed record ProfileColumn
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    public string? Machine { get; init; }
    public string? ServerVersion { get; init; }
    public string? ServerCommit { get; init; }
    public string? ServerBuild { get; init; }
    public string? ClaudeCodeVersion { get; init; }
    public int? ParallelSlots { get; init; }
    public bool? Synthetic { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>The result kinds this profile has (conformance, replay, e2e).</summary>
    public IReadOnlyList<string> Kinds { get; init; } = [];
    /// <summary>Feature-matrix outcomes of this profile.</summary>
    public OutcomeCounts Checks { get; init; } = OutcomeCounts.None;
    /// <summary>Mean pass@1 over this profile's tasks (null without E2E trials).</summary>
    public double? TaskPassAt1 { get; init; }
}

public sealed record FeatureRow
{
    /// <summary>The result kind the check came from: <c>conformance</c> or <c>replay</c>.</summary>
    public required string Kind { get; init; }
    public required string Id { get; init; }
    public required string Area { get; init; }
    public required string Title { get; init; }
    /// <summary>Profile name → outcome; a profile that did not run the check has no entry.</summary>
    public IReadOnlyDictionary<string, FeatureCell> Cells { get; init; } = new Dictionary<string, FeatureCell>();
}

public sealed record FeatureCell
{
    public required CheckOutcome Outcome { get; init; }
    public required string Reason { get; init; }
    public Evidence? Evidence { get; init; }
    public IReadOnlyList<FindingRecord> Findings { get; init; } = [];
    public double DurationSeconds { get; init; }
}

public sealed record CapabilityRow
{
    public required string Task { get; init; }
    public required string Category { get; init; }
    /// <summary>Profile name → trial statistics; a profile that did not run the task has no entry.</summary>
    public IReadOnlyDictionary<string, CapabilityCell> Cells { get; init; } = new Dictionary<string, CapabilityCell>();
}

/// <param name="K">The k of <see cref="PassAtK"/>: the number of trials of this cell.</param>
/// <param name="FailureKinds">Why trials failed (<c>checker-failed</c>, <c>timeout</c>…) and how often.</param>
/// <param name="StatusApiErrors">API errors with an HTTP status over all trials (lost connections left out).</param>
/// <param name="Rejections">Requests the server refused, with its error text (distinct, at most a few).</param>
public sealed record CapabilityCell(
    int Trials,
    int Passes,
    double PassAt1,
    double PassAtK,
    int K,
    double MedianWallSeconds,
    IReadOnlyDictionary<string, int> FailureKinds,
    int StatusApiErrors = 0,
    IReadOnlyList<RejectedRequest>? Rejections = null);

/// <summary>The named metrics of one profile (names from <see cref="ReportMetrics"/>, plus any others the producers wrote).</summary>
public sealed record ProfilePerformance
{
    public required string Profile { get; init; }
    public int? ParallelSlots { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Every sample behind a metric measured more than once (its value in <see cref="Metrics"/> is their median).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Samples { get; init; } = new Dictionary<string, IReadOnlyList<double>>();

    public double? Get(MetricDefinition metric) => Metrics.TryGetValue(metric.Name, out var v) ? v : null;

    /// <summary>n and spread of a metric: from its samples, or n = 1 for a single value; null when absent.</summary>
    public SampleSpread? Spread(string metric) =>
        Samples.TryGetValue(metric, out var all) && all.Count > 0 ? SampleSpread.Of(all)
        : Metrics.TryGetValue(metric, out var one) ? SampleSpread.Of([one]) : null;
}

/// <param name="Requests">Replayed requests of the session.</param>
/// <param name="CacheReadTokens">Prompt tokens served from the cache, summed over the session.</param>
/// <param name="PromptTokens">Prompt tokens (processed + cached), summed over the requests that reported both.</param>
/// <param name="TokenShare">CacheReadTokens / PromptTokens: the share of the session's prompt the cache saved.</param>
/// <param name="MeanTurnShare">Mean of the per-request cache share over the turns after the first.</param>
public sealed record CacheReuseRow(
    string Profile,
    string Session,
    int Requests,
    int CacheReadTokens,
    int PromptTokens,
    double? TokenShare,
    double? MeanTurnShare,
    double? MedianTtfbSeconds);

/// <summary>One report in the history (or this one).</summary>
public sealed record TrendPoint(DateTimeOffset GeneratedAt, IReadOnlyList<ProfileTrend> Profiles);

public sealed record ProfileTrend(
    string Profile,
    string? ServerVersion,
    OutcomeCounts Checks,
    double? TaskPassAt1,
    double? TtfbColdSeconds,
    double? TtfbWarmSeconds,
    double? DecodeTokensPerSecond)
{
    /// <summary>n and spread behind <see cref="TtfbColdSeconds"/> (null in reports before schema 2: one sample).</summary>
    public SampleSpread? TtfbColdSpread { get; init; }
    public SampleSpread? DecodeSpread { get; init; }
}

/// <summary>The gate run between the previous report and this one, per profile present in both.</summary>
public sealed record ChangesSincePrevious(DateTimeOffset PreviousGeneratedAt, IReadOnlyList<ProfileChanges> Profiles);

public sealed record ProfileChanges(
    string Profile,
    string? PreviousServerVersion,
    string? ServerVersion,
    IReadOnlyList<string> NewFailures,
    IReadOnlyList<string> Fixes,
    IReadOnlyList<string> PerformanceChanges);

/// <summary>A result file the report was built from.</summary>
public sealed record ReportSource(
    string Kind,
    string Profile,
    string Machine,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    string? Path,
    string? Command);
