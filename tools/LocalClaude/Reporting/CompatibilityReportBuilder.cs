using System.Globalization;
using LocalClaude.Results;

namespace LocalClaude.Reporting;

/// <summary>Turns result files (one per profile and kind, possibly from several machines) and earlier reports into a <see cref="CompatibilityReport"/>.</summary>
public static class CompatibilityReportBuilder
{
    /// <summary>Result kinds whose checks make up the feature matrix; E2E verdicts live in the capability matrix.</summary>
    public static readonly IReadOnlyList<string> FeatureKinds = ["conformance", "replay"];

    public static CompatibilityReport Build(
        IEnumerable<LoadedResultFile> files,
        DateTimeOffset generatedAt,
        IEnumerable<CompatibilityReport>? earlier = null,
        IEnumerable<string>? warnings = null)
    {
        var all = files.ToList();
        var notes = new List<string>(warnings ?? []);
        var profileNames = all.Select(f => f.Profile).Distinct(StringComparer.Ordinal).ToList();

        var features = BuildFeatures(all);
        var capabilities = BuildCapabilities(all);
        var performance = profileNames.Select(p => BuildPerformance(p, all.Where(f => f.Profile == p).ToList())).ToList();
        var profiles = profileNames.Select(p => BuildColumn(p, all, features, capabilities, performance, notes)).ToList();

        var report = new CompatibilityReport
        {
            GeneratedAt = generatedAt,
            SuiteCommit = all.Select(f => f.File.Run.SuiteCommit).FirstOrDefault(c => c is not null),
            Profiles = profiles,
            Features = features,
            Capabilities = capabilities,
            Performance = performance,
            CacheReuse = BuildCacheReuse(all),
            Sources = all.Select(f => new ReportSource(f.Kind, f.Profile, f.File.Run.Machine, f.File.Run.StartedAt,
                f.File.Run.DurationSeconds, f.Path, f.File.Run.Command)).ToList(),
            Warnings = notes,
        };

        var history = (earlier ?? []).Where(r => r.GeneratedAt < generatedAt).OrderBy(r => r.GeneratedAt).ToList();
        return report with
        {
            Trends = [.. history.Select(TrendOf), TrendOf(report)],
            SincePrevious = history.Count == 0 ? null : ChangesSince(history[^1], report),
        };
    }

    private static List<FeatureRow> BuildFeatures(List<LoadedResultFile> files)
    {
        var rows = new List<(string Kind, CheckResult First, Dictionary<string, FeatureCell> Cells)>();
        var index = new Dictionary<(string, string), int>();
        // Kind by kind, and in the order the runners wrote the checks: that order groups related checks.
        foreach (var kind in FeatureKinds)
            foreach (var file in files.Where(f => f.Kind == kind))
                foreach (var check in file.File.Checks)
                {
                    if (!index.TryGetValue((kind, check.Id), out var i))
                    {
                        i = rows.Count;
                        index[(kind, check.Id)] = i;
                        rows.Add((kind, check, new Dictionary<string, FeatureCell>()));
                    }
                    rows[i].Cells[file.Profile] = new FeatureCell
                    {
                        Outcome = check.Outcome,
                        Reason = check.Reason,
                        Evidence = check.Evidence,
                        Findings = check.Findings,
                        DurationSeconds = check.DurationSeconds,
                    };
                }
        return rows.Select(r => new FeatureRow { Kind = r.Kind, Id = r.First.Id, Area = r.First.Area, Title = r.First.Title, Cells = r.Cells }).ToList();
    }

    private static List<CapabilityRow> BuildCapabilities(List<LoadedResultFile> files)
    {
        var trials = files.Where(f => f.Kind == "e2e")
            .SelectMany(f => f.File.Trials.Where(t => t.Control is null).Select(t => (f.Profile, Trial: t)))
            .ToList();
        return trials.GroupBy(t => t.Trial.Task).Select(task => new CapabilityRow
        {
            Task = task.Key,
            Category = task.First().Trial.Category,
            Cells = task.GroupBy(t => t.Profile).ToDictionary(g => g.Key, g => CellOf(g.Select(t => t.Trial).ToList())),
        }).ToList();
    }

    private const int MaxRejectionsShown = 3;

    private static CapabilityCell CellOf(List<TaskTrial> trials)
    {
        var passes = trials.Count(t => t.Passed);
        return new CapabilityCell(
            trials.Count, passes,
            PassAt1: TrialStatistics.PassAtK(trials.Count, passes, 1),
            PassAtK: TrialStatistics.PassAtK(trials.Count, passes, trials.Count),
            K: trials.Count,
            MedianWallSeconds: TrialStatistics.Median(trials.Select(t => t.WallSeconds)),
            FailureKinds: trials.Where(t => !t.Passed)
                .GroupBy(t => t.FailureKind ?? "unknown").OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count()),
            StatusApiErrors: trials.Sum(t => Math.Max(0, t.ApiErrors - t.ConnectionRetries)),
            Rejections: trials.SelectMany(t => t.Rejections).DistinctBy(r => (r.Status, r.Message)).Take(MaxRejectionsShown).ToList());
    }

    /// <summary>File-level metrics first (conformance before replay before E2E), then any check's metric of the same name.</summary>
    private static ProfilePerformance BuildPerformance(string profile, List<LoadedResultFile> files)
    {
        var ordered = files.OrderBy(f => KindOrder(f.Kind)).ToList();
        var metrics = FirstByName(ordered, f => f.Metrics, c => c.Metrics);
        // The samples that go with the value taken: looked up in the same order, so from the same file and level.
        var samples = FirstByName(ordered, f => f.MetricSamples, c => c.MetricSamples);
        return new ProfilePerformance
        {
            Profile = profile,
            Samples = samples.Where(s => metrics.ContainsKey(s.Key)).OrderBy(s => s.Key, StringComparer.Ordinal).ToDictionary(),
            ParallelSlots = ordered.Select(f => ParallelSlotsFromArguments(f.File.Run.Server.Arguments)).FirstOrDefault(n => n is not null),
            Metrics = metrics.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(),
        };
    }

    /// <summary>Each name's first value: the files' own values first (in the given order), then their checks'.</summary>
    private static Dictionary<string, T> FirstByName<T>(IReadOnlyList<LoadedResultFile> ordered,
        Func<ResultFile, IReadOnlyDictionary<string, T>> fileLevel, Func<CheckResult, IReadOnlyDictionary<string, T>> checkLevel)
    {
        var first = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (name, value) in ordered.SelectMany(f => fileLevel(f.File))) first.TryAdd(name, value);
        foreach (var (name, value) in ordered.SelectMany(f => f.File.Checks).SelectMany(checkLevel)) first.TryAdd(name, value);
        return first;
    }

    /// <summary>Reads <c>-np N</c>, <c>--parallel N</c> or <c>--parallel=N</c> from llama-server's arguments.</summary>
    public static int? ParallelSlotsFromArguments(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var a = arguments[i];
            string? value = a is "-np" or "--parallel" && i + 1 < arguments.Count ? arguments[i + 1]
                : a.StartsWith("--parallel=", StringComparison.Ordinal) ? a["--parallel=".Length..]
                : a.StartsWith("-np=", StringComparison.Ordinal) ? a["-np=".Length..]
                : null;
            if (value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        }
        return null;
    }

    private static List<CacheReuseRow> BuildCacheReuse(List<LoadedResultFile> files) =>
        files.Where(f => f.Kind == "replay")
            .SelectMany(f => f.File.Requests.GroupBy(r => r.Fixture).Select(session =>
            {
                var requests = session.OrderBy(r => r.Index).ToList();
                var withTokens = requests.Where(r => r.InputTokens is not null && r.CacheReadTokens is not null).ToList();
                var cached = withTokens.Sum(r => r.CacheReadTokens!.Value);
                // llama-server's input_tokens leaves the cached tokens out, so the prompt is the sum of both.
                var prompt = withTokens.Sum(r => r.InputTokens!.Value + r.CacheReadTokens!.Value);
                var shares = requests.Where(r => r.CacheShare is not null).Select(r => r.CacheShare!.Value).ToList();
                var ttfbs = requests.Where(r => r.TimeToFirstByteSeconds is not null).Select(r => r.TimeToFirstByteSeconds!.Value).ToList();
                return new CacheReuseRow(f.Profile, session.Key, requests.Count, cached, prompt,
                    TokenShare: prompt > 0 ? (double)cached / prompt : null,
                    MeanTurnShare: shares.Count > 0 ? shares.Average() : null,
                    MedianTtfbSeconds: ttfbs.Count > 0 ? TrialStatistics.Median(ttfbs) : null);
            }))
            .ToList();

    private static ProfileColumn BuildColumn(
        string profile, List<LoadedResultFile> all, List<FeatureRow> features, List<CapabilityRow> capabilities,
        List<ProfilePerformance> performance, List<string> notes)
    {
        var files = all.Where(f => f.Profile == profile).OrderBy(f => KindOrder(f.Kind)).ToList();
        var main = files[0].File.Run;
        var versions = files.Select(f => f.File.Run.Server.Version).Where(v => v is not null).Distinct().ToList();
        if (versions.Count > 1)
            notes.Add($"{profile}: its result files ran on different llama-server builds ({string.Join(" / ", files.Select(f => $"{f.Kind}: {f.File.Run.Server.Version ?? "?"}"))})");
        var taskCells = capabilities.Where(r => r.Cells.ContainsKey(profile)).Select(r => r.Cells[profile]).ToList();
        return new ProfileColumn
        {
            Name = profile,
            Description = files.Select(f => f.File.Run.ProfileDescription).FirstOrDefault(d => d is not null),
            Machine = main.Machine,
            ServerVersion = main.Server.Version ?? versions.FirstOrDefault(),
            ServerCommit = files.Select(f => f.File.Run.Server.Commit).FirstOrDefault(c => c is not null),
            ServerBuild = files.Select(f => f.File.Run.Server.Build).FirstOrDefault(c => c is not null),
            ClaudeCodeVersion = files.Select(f => f.File.Run.ClaudeCodeVersion).FirstOrDefault(c => c is not null),
            ParallelSlots = performance.First(p => p.Profile == profile).ParallelSlots,
            Synthetic = files.Select(f => f.File.Run.Server.Synthetic).FirstOrDefault(s => s is not null),
            StartedAt = files.Min(f => f.File.Run.StartedAt),
            Kinds = files.Select(f => f.Kind).Distinct().ToList(),
            Checks = OutcomeCounts.Of(features.Where(r => r.Cells.ContainsKey(profile)).Select(r => r.Cells[profile].Outcome)),
            TaskPassAt1 = taskCells.Count > 0 ? taskCells.Average(c => c.PassAt1) : null,
        };
    }

    private static int KindOrder(string kind) =>
        ResultKinds.Produced.ToList().IndexOf(kind) is var i && i >= 0 ? i : int.MaxValue;

    public static TrendPoint TrendOf(CompatibilityReport report) => new(report.GeneratedAt, report.Profiles.Select(p =>
    {
        var perf = report.Performance.FirstOrDefault(x => x.Profile == p.Name);
        return new ProfileTrend(p.Name, p.ServerVersion, p.Checks, p.TaskPassAt1,
            perf?.Get(ReportMetrics.LongPromptTtfbCold), perf?.Get(ReportMetrics.LongPromptTtfbWarm), perf?.Get(ReportMetrics.DecodeTokensPerSecond))
        {
            TtfbColdSpread = perf?.Spread(ReportMetrics.LongPromptTtfbCold.Name),
            DecodeSpread = perf?.Spread(ReportMetrics.DecodeTokensPerSecond.Name),
        };
    }).ToList());

    /// <summary>The gate between the previous report and this one, for every profile in both, with the default thresholds.</summary>
    public static ChangesSincePrevious ChangesSince(CompatibilityReport previous, CompatibilityReport current)
    {
        var profiles = current.Profiles.Where(p => previous.Profiles.Any(q => q.Name == p.Name)).Select(p =>
        {
            var gate = Gate.Compare(
                ProfileSnapshot.FromReport(previous, p.Name, "previous"),
                ProfileSnapshot.FromReport(current, p.Name, "current"));
            return new ProfileChanges(p.Name, gate.Baseline.ServerVersion, gate.Candidate.ServerVersion,
                NewFailures: [.. gate.CheckRegressions.Select(c => $"{c.Kind}/{c.Id}"), .. gate.TaskRegressions.Select(t => $"task/{t.Task}")],
                Fixes: [.. gate.CheckFixes.Select(c => $"{c.Kind}/{c.Id}"), .. gate.TaskFixes.Select(t => $"task/{t.Task}")],
                PerformanceChanges: gate.Metrics.Where(m => m.Verdict != PairedVerdict.NoChange).Select(ReportFormat.MetricChange).ToList());
        }).ToList();
        return new ChangesSincePrevious(previous.GeneratedAt, profiles);
    }
}
