using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>One check's outcome on one side of a comparison.</summary>
public sealed record CheckState(string Kind, string Id, string Title, CheckOutcome Outcome, string? Reason)
{
    public string Key => $"{Kind}/{Id}";
}

/// <summary>One task's trials on one side of a comparison.</summary>
/// <param name="FailureKinds">Failure kind → trials that failed that way.</param>
/// <param name="StatusApiErrors">API errors with an HTTP status (lost connections, which clients retry, left out).</param>
/// <param name="Rejections">Requests the server refused, with its error text.</param>
public sealed record TaskState(string Task, int Trials, int Passes,
    IReadOnlyDictionary<string, int>? FailureKinds = null, int StatusApiErrors = 0, IReadOnlyList<RejectedRequest>? Rejections = null)
{
    /// <summary>Trials that ended because the server failed or refused a request: the server's fault, not the model's.</summary>
    public int ServerFailures => FailureKinds is { } k && k.TryGetValue(ApiErrorKind, out var n) ? n : 0;

    public const string ApiErrorKind = "api-error";

    /// <summary>The most frequent failure kind, e.g. <c>no-tool-call</c> (null when every trial passed).</summary>
    public string? MainFailure => FailureKinds is { Count: > 0 } k ? k.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key : null;
}

/// <summary>
/// What the gate compares for one profile: check outcomes, task passes and metrics. Built the same way from fresh
/// result files or from an earlier report.json, so either can be a baseline or a candidate.
/// </summary>
public sealed record ProfileSnapshot
{
    public required string Profile { get; init; }
    /// <summary>Where the side came from (a build spec, a report path), for the gate's table.</summary>
    public required string Label { get; init; }
    public string? ServerVersion { get; init; }
    public IReadOnlyList<CheckState> Checks { get; init; } = [];
    public IReadOnlyList<TaskState> Tasks { get; init; } = [];
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Every sample behind a metric measured more than once (from the report's spreads or the result files).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> MetricSamples { get; init; } = new Dictionary<string, IReadOnlyList<double>>();

    /// <summary>The samples of a metric: all of them where recorded, else its one value, else none.</summary>
    public IReadOnlyList<double> SamplesOf(string metric) =>
        MetricSamples.TryGetValue(metric, out var all) && all.Count > 0 ? all : Metrics.TryGetValue(metric, out var one) ? [one] : [];

    public bool IsEmpty => Checks.Count == 0 && Tasks.Count == 0 && Metrics.Count == 0;

    public static ProfileSnapshot FromResults(string profile, string label, IEnumerable<LoadedResultFile> files) =>
        FromReport(CompatibilityReportBuilder.Build(files.Where(f => f.Profile == profile), generatedAt: DateTimeOffset.UnixEpoch), profile, label);

    /// <summary>The profile's column of a report; throws when the report has no such profile.</summary>
    public static ProfileSnapshot FromReport(CompatibilityReport report, string profile, string label)
    {
        var column = report.Profiles.FirstOrDefault(p => p.Name == profile)
            ?? throw new InvalidDataException(
                $"{label}: no results for profile '{profile}' (it has: {(report.Profiles.Count == 0 ? "none" : string.Join(", ", report.Profiles.Select(p => p.Name)))})");
        return new ProfileSnapshot
        {
            Profile = profile,
            Label = label,
            ServerVersion = column.ServerVersion,
            Checks = report.Features
                .Where(r => r.Cells.ContainsKey(profile))
                .Select(r => new CheckState(r.Kind, r.Id, r.Title, r.Cells[profile].Outcome, r.Cells[profile].Reason))
                .ToList(),
            Tasks = report.Capabilities
                .Where(r => r.Cells.ContainsKey(profile))
                .Select(r =>
                {
                    var c = r.Cells[profile];
                    return new TaskState(r.Task, c.Trials, c.Passes, c.FailureKinds, c.StatusApiErrors, c.Rejections);
                })
                .ToList(),
            Metrics = report.Performance.FirstOrDefault(p => p.Profile == profile)?.Metrics ?? new Dictionary<string, double>(),
            MetricSamples = report.Performance.FirstOrDefault(p => p.Profile == profile)?.Samples ?? new Dictionary<string, IReadOnlyList<double>>(),
        };
    }
}
