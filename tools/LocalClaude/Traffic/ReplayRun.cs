using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Results;
using LocalClaude.Server;

namespace LocalClaude.Traffic;

public sealed record ReplayRunOptions
{
    /// <summary>Also replay sequentially with a bare HttpClient and record the suite's overhead ratio.</summary>
    public bool Bench { get; init; }
    /// <summary>Where the per-request tables go (the CLI passes the console).</summary>
    public TextWriter Output { get; init; } = TextWriter.Null;
    public string? Command { get; init; }
    public string? SuiteCommit { get; init; }
}

/// <summary>Replays fixtures against one server and turns the replays into a result file (kind <c>replay</c>).</summary>
public static class ReplayRun
{
    public static async Task<ResultFile> RunAsync(ServerUnderTest server, IReadOnlyList<TrafficFixture> fixtures, KnownFindings known,
        ReplayRunOptions options, CancellationToken ct)
    {
        var profile = server.Profile;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var output = options.Output;
        var target = new ReplayTarget(server.BaseUrl, server.ApiKey, profile.Name, profile.ParallelSlots, profile.MaxOutputTokens);
        output.WriteLine($"replaying {fixtures.Count} fixture(s) against '{profile.Name}' at {server.BaseUrl} (NP={profile.ParallelSlots}" +
                         (profile.MaxOutputTokens is { } cap ? $", generation capped at {cap} tokens by MAX_OUTPUT_TOKENS" : "") + ")");

        var replayer = new Replayer(target);
        var checks = new List<CheckResult>();
        var requests = new List<ReplayedRequest>();
        foreach (var fixture in fixtures)
        {
            output.WriteLine();
            output.WriteLine($"== {fixture.Name}: {fixture.Exchanges.Count} requests, Claude Code {fixture.Manifest.ClaudeCodeVersion}, {fixture.Manifest.Scenario.Mode}");
            var replay = await replayer.ReplayAsync(fixture, ct);
            ReplayReport.PrintTable(replay, output);
            var check = ReplayReport.Check(replay, known);
            output.WriteLine($"   => {check.Outcome.ToString().ToLowerInvariant()}: {check.Reason} ({replay.Wall.TotalSeconds:0.0} s)");
            checks.Add(check);
            requests.AddRange(ReplayReport.Requests(replay));
        }

        var metrics = new Dictionary<string, double> { ["replay.wall_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2) };
        var samples = new Dictionary<string, IReadOnlyList<double>>();
        var pairs = new List<PairedMetricSamples>();
        if (options.Bench)
        {
            output.WriteLine();
            output.WriteLine("bench: the same requests, sequentially, with a bare HttpClient and with the suite...");
            var bench = await ReplayBench.RunAsync(fixtures, target, ct);
            bench.PrintTable(output);
            metrics["bench.bare_seconds"] = bench.Bare.Median;
            metrics["bench.suite_seconds"] = bench.Suite.Median;
            metrics["bench.ratio"] = bench.Ratio.Median;
            metrics["bench.bare_retries"] = bench.BareRetries;
            samples["bench.bare_seconds"] = bench.Pairs.Select(p => Math.Round(p.Baseline, 4)).ToList();
            samples["bench.suite_seconds"] = bench.Pairs.Select(p => Math.Round(p.Candidate, 4)).ToList();
            samples["bench.ratio"] = bench.Pairs.Select(p => Math.Round(p.Ratio, 4)).ToList();
            pairs.Add(new PairedMetricSamples("bench.request_seconds", bench.Pairs));
        }

        return new ResultFile
        {
            Kind = ResultKinds.Replay,
            Run = new RunInfo
            {
                Profile = profile.Name,
                ProfileDescription = profile.Description,
                Server = server.Info,
                ClaudeCodeVersion = string.Join(", ", fixtures.Select(f => f.Manifest.ClaudeCodeVersion).Distinct()),
                StartedAt = started,
                DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                Command = options.Command,
                SuiteCommit = options.SuiteCommit,
            },
            Checks = checks,
            Requests = requests,
            Metrics = metrics,
            MetricSamples = samples,
            Pairs = pairs,
        };
    }
}

/// <summary>Replay as a report/gate phase: every committed fixture against the profile's server.</summary>
public sealed class ReplayResultProducer(LocalClaudeContext context, ProgressLog progress) : Results.IResultProducer
{
    public string Kind => ResultKinds.Replay;

    public async Task<ResultFile> RunAsync(Profiles.ModelProfile profile, Results.LlamaServerOverride? server, CancellationToken ct)
    {
        var fixtures = TrafficFixture.FindAll(context.Repo.Traffic).Select(TrafficFixture.Load).ToList();
        await using var under = await ServerUnderTest.OpenAsync(context, profile, ServerTarget.Start(), ct);
        progress.Info($"[{profile.Name}] replaying {fixtures.Count} recorded Claude Code sessions");
        return await ReplayRun.RunAsync(under, fixtures, KnownFindings.Load(context.Repo.Traffic), new ReplayRunOptions
        {
            Command = $"tools/localclaude report --profiles {profile.Name}" + (server is null ? "" : $" (llama-server {server.Label})"),
            SuiteCommit = await SuiteVersion.CommitAsync(context.Repo, ct),
        }, ct);
    }
}
