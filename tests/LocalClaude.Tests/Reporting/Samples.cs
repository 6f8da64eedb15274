using LocalClaude.Reporting;
using LocalClaude.Results;

namespace LocalClaude.Tests.Reporting;

/// <summary>Result files built from the schema types, as the producers will write them.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Night = new(2026, 11, 24, 3, 0, 0, TimeSpan.Zero);

    public static CheckResult Check(string id, CheckOutcome outcome, string area = "streaming", string? reason = null,
        Evidence? evidence = null, IReadOnlyDictionary<string, double>? metrics = null) => new()
        {
            Id = id,
            Area = area,
            Title = $"title of {id}",
            Outcome = outcome,
            Reason = reason ?? $"{id} is {outcome}",
            Evidence = evidence,
            Metrics = metrics ?? new Dictionary<string, double>(),
            DurationSeconds = 0.25,
        };

    public static RunInfo Run(string profile, DateTimeOffset? startedAt = null, string version = "0.5.0-dev (build 1, commit de3ff81)",
        string machine = "ci-1", params string[] arguments) => new()
        {
            Profile = profile,
            ProfileDescription = $"{profile} description",
            Server = new ServerInfo { Version = version, Commit = "de3ff81", Build = "v0.5.0-de3ff81-cpu", Arguments = arguments, Synthetic = true },
            ClaudeCodeVersion = "2.1.3",
            StartedAt = startedAt ?? Night,
            DurationSeconds = 42,
            Machine = machine,
            Command = "tools/localclaude conformance " + profile,
            SuiteCommit = "abc1234",
        };

    public static LoadedResultFile ConformanceResult(string profile, IReadOnlyList<CheckResult> checks,
        IReadOnlyDictionary<string, double>? metrics = null, RunInfo? run = null) =>
        new(new ResultFile { Kind = "conformance", Run = run ?? Run(profile), Checks = checks, Metrics = metrics ?? new Dictionary<string, double>() }, null);

    public static LoadedResultFile ReplayResult(string profile, IReadOnlyList<CheckResult> checks, IReadOnlyList<ReplayedRequest> requests) =>
        new(new ResultFile { Kind = "replay", Run = Run(profile), Checks = checks, Requests = requests }, null);

    public static LoadedResultFile E2EResult(string profile, params TaskTrial[] trials) =>
        new(new ResultFile { Kind = "e2e", Run = Run(profile), Trials = trials }, null);

    public static TaskTrial Trial(string task, int trial, bool passed, double wall = 10, string? failure = null, string? control = null) => new()
    {
        Task = task,
        Category = "edit",
        Trial = trial,
        Passed = passed,
        FailureKind = passed ? null : failure ?? "checker-failed",
        WallSeconds = wall,
        Control = control,
    };

    public static ReplayedRequest Request(string fixture, int index, int? input, int? cacheRead, double? share, double? ttfb = 0.2) => new()
    {
        Fixture = fixture,
        Index = index,
        Path = "/v1/messages",
        Status = 200,
        InputTokens = input,
        CacheReadTokens = cacheRead,
        CacheShare = share,
        TimeToFirstByteSeconds = ttfb,
        TotalSeconds = 1,
    };

    public static Dictionary<string, double> Perf(double ttfbCold, double ttfbWarm, double decode) => new()
    {
        [ReportMetrics.LongPromptTtfbCold.Name] = ttfbCold,
        [ReportMetrics.LongPromptTtfbWarm.Name] = ttfbWarm,
        [ReportMetrics.DecodeTokensPerSecond.Name] = decode,
    };

    public static CompatibilityReport Report(DateTimeOffset at, params LoadedResultFile[] files) =>
        CompatibilityReportBuilder.Build(files, at);
}

