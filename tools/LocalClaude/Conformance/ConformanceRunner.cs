using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Results;
using LocalClaude.Server;

namespace LocalClaude.Conformance;

/// <summary>Starts servers for profile variants (NP=1 beside NP=2) the same way the main server was started.</summary>
public sealed class ProcessVariantLauncher(LocalClaudeContext context) : IVariantServerLauncher
{
    public async Task<IVariantServer> StartAsync(ModelProfile variant, CancellationToken cancellationToken) =>
        new Variant(await LlamaServerProcess.StartAsync(context.ResolveLaunch(variant), cancellationToken));

    private sealed class Variant(LlamaServerProcess process) : IVariantServer
    {
        public Uri BaseUrl => process.BaseUrl;
        public ValueTask DisposeAsync() => process.DisposeAsync();
    }
}

public sealed record ConformanceRunOptions
{
    /// <summary>Check id globs; empty runs all.</summary>
    public IReadOnlyCollection<string> Checks { get; init; } = [];
    public ProgressLog Progress { get; init; } = ProgressLog.Silent;
    public string? Command { get; init; }
    public string? SuiteCommit { get; init; }
}

/// <summary>Runs the checks against one server, each with its own timeout, and writes the result file's content.</summary>
public static class ConformanceRunner
{
    public static async Task<ResultFile> RunAsync(ServerUnderTest server, IVariantServerLauncher? variants, ConformanceRunOptions options, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var client = CheckContext.ClientFor(server.BaseUrl, server.ApiKey);
        var context = new CheckContext(client, server.Profile, server.ApiKey, variants);
        var checks = ConformanceCatalog.Select(options.Checks);
        var results = new List<CheckResult>();
        for (var i = 0; i < checks.Count; i++)
        {
            var check = checks[i];
            options.Progress.Info($"[{server.Profile.Name}] conformance {i + 1}/{checks.Count}: {check.Id}");
            results.Add(await RunOneAsync(check, context, server, ct));
        }
        return new ResultFile
        {
            Kind = "conformance",
            Run = new RunInfo
            {
                Profile = server.Profile.Name,
                ProfileDescription = server.Profile.Description,
                Server = server.Info,
                StartedAt = started,
                DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                Command = options.Command,
                SuiteCommit = options.SuiteCommit,
            },
            Checks = results,
            Metrics = results.SelectMany(r => r.Metrics).GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.First().Value),
            MetricSamples = results.SelectMany(r => r.MetricSamples).GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.First().Value),
        };
    }

    public static async Task<CheckResult> RunOneAsync(ConformanceCheck check, CheckContext context, ServerUnderTest? server, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        CheckVerdict verdict;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(check.Timeout);
        try
        {
            verdict = await check.Run(context, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            verdict = CheckVerdict.Fail($"did not finish within {check.Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            verdict = CheckVerdict.Fail($"the check could not run: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
        }
        if (server is { IsAlive: false })
            verdict = CheckVerdict.Fail($"llama-server died during this check; last lines: {server.Process!.LogTail(5)}") with { Evidence = verdict.Evidence };
        return new CheckResult
        {
            Id = check.Id,
            Area = check.Area,
            Title = check.Title,
            Outcome = verdict.Outcome,
            Reason = verdict.Reason,
            Evidence = verdict.Evidence,
            Findings = verdict.Findings,
            Metrics = verdict.Metrics,
            MetricSamples = verdict.MetricSamples,
            DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
        };
    }
}
