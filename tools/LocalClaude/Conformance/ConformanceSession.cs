using System.Diagnostics;
using LocalClaude.Client;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Results;
using LocalClaude.Server;

namespace LocalClaude.Conformance;

/// <summary>Starts servers for profile variants (NP=1 beside NP=2) through the same path as the main server.</summary>
public sealed class ProcessVariantLauncher(LocalClaudeContext context) : IVariantServerLauncher
{
    public async Task<IVariantServer> StartAsync(ModelProfile variant, CancellationToken cancellationToken) =>
        new Variant(await ServerUnderTest.OpenAsync(context, variant, ServerTarget.Start(), cancellationToken));

    private sealed class Variant(ServerUnderTest server) : IVariantServer
    {
        public Uri BaseUrl => server.BaseUrl;
        public ValueTask DisposeAsync() => server.DisposeAsync();
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

/// <summary>
/// One conformance run against one server: the profile's llama-server started here, or one that already runs (then
/// no variant servers either); the checks run one by one, each under its own timeout, with a typed
/// <see cref="HarnessOutcome"/> where a check reached no verdict; what the session started stops on dispose.
/// The CLI, the report and gate producer and the tests all go through it.
/// </summary>
public sealed class ConformanceSession : IAsyncDisposable
{
    private readonly RawMessagesClient _client;

    private ConformanceSession(ServerUnderTest server, IVariantServerLauncher? variants)
    {
        Server = server;
        _client = CheckContext.ClientFor(server.BaseUrl, server.ApiKey);
        Checks = new CheckContext(_client, server.Profile, server.ApiKey, variants);
    }

    public ServerUnderTest Server { get; }
    public ModelProfile Profile => Server.Profile;
    /// <summary>What the checks talk to the server with (tests that send their own requests use it too).</summary>
    public CheckContext Checks { get; }

    /// <summary>
    /// Starts or attaches through <see cref="ServerUnderTest.OpenAsync"/>: a start that fails throws
    /// <see cref="LlamaServerStartException"/>, an attach URL that refuses throws <see cref="ServerUnreachableException"/>.
    /// </summary>
    public static async Task<ConformanceSession> OpenAsync(LocalClaudeContext context, ModelProfile profile, ServerTarget target, CancellationToken ct)
    {
        var server = await ServerUnderTest.OpenAsync(context, profile, target, ct);
        return new ConformanceSession(server, server.Process is null ? null : new ProcessVariantLauncher(context));
    }

    /// <summary>The selected checks, in catalog order, as the content of a result file.</summary>
    public async Task<ResultFile> RunAsync(ConformanceRunOptions options, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var checks = ConformanceCatalog.Select(options.Checks);
        var results = new List<CheckResult>();
        for (var i = 0; i < checks.Count; i++)
        {
            var check = checks[i];
            options.Progress.Info($"[{Profile.Name}] conformance {i + 1}/{checks.Count}: {check.Id}");
            results.Add(await RunCheckAsync(check, ct));
        }
        return new ResultFile
        {
            Kind = ResultKinds.Conformance,
            Run = new RunInfo
            {
                Profile = Profile.Name,
                ProfileDescription = Profile.Description,
                Server = Server.Info,
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

    /// <summary>One check under its own timeout; a check that throws, times out or outlives the server is marked so by type.</summary>
    public async Task<CheckResult> RunCheckAsync(ConformanceCheck check, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        CheckVerdict verdict;
        HarnessOutcome? harness = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(check.Timeout);
        try
        {
            verdict = await check.Run(Checks, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            verdict = CheckVerdict.Fail($"did not finish within {check.Timeout.TotalSeconds:0} s");
            harness = HarnessOutcome.TimedOut;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            verdict = CheckVerdict.Fail($"the check could not run: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            harness = HarnessOutcome.CouldNotRun;
        }
        if (!Server.IsAlive)
        {
            verdict = CheckVerdict.Fail($"llama-server died during this check; last lines: {Server.Process!.LogTail(5)}") with { Evidence = verdict.Evidence };
            harness = HarnessOutcome.ServerDied;
        }
        return new CheckResult
        {
            Id = check.Id,
            Area = check.Area,
            Title = check.Title,
            Outcome = verdict.Outcome,
            Reason = verdict.Reason,
            Harness = harness,
            Evidence = verdict.Evidence,
            Findings = verdict.Findings,
            Metrics = verdict.Metrics,
            MetricSamples = verdict.MetricSamples,
            DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 2),
        };
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await Server.DisposeAsync();
    }
}
