using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>One check's outcome on one side of a comparison.</summary>
public sealed record CheckState(string Kind, string Id, string Title, CheckOutcome Outcome, string? Reason)
{
    public string Key => $"{Kind}/{Id}";
}

/// <summary>One task's trials on one side of a comparison.</summary>
public sealed record TaskState(string Task, int Trials, int Passes);

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
                .Select(r => new TaskState(r.Task, r.Cells[profile].Trials, r.Cells[profile].Passes))
                .ToList(),
            Metrics = report.Performance.FirstOrDefault(p => p.Profile == profile)?.Metrics ?? new Dictionary<string, double>(),
        };
    }
}
