using LocalClaude.Client;
using LocalClaude.Infrastructure;
using LocalClaude.Relay;
using LocalClaude.Terminal;

namespace LocalClaude.Traffic;

/// <summary>One recording: which Claude Code, what to run, against what, and where the fixture goes.</summary>
public sealed record RecordingPlan
{
    public required string Name { get; init; }
    /// <summary>The fixture folder to write (replaced if it exists).</summary>
    public required string OutputDirectory { get; init; }
    public required UpstreamSpec Upstream { get; init; }
    /// <summary>Claude Code's executable and the version it reports.</summary>
    public required string ClaudeBinary { get; init; }
    public required string ClaudeVersion { get; init; }
    public bool Interactive { get; init; }
    /// <summary>Arguments for Claude Code (after <c>--</c>).</summary>
    public IReadOnlyList<string> ClaudeArguments { get; init; } = [];
    /// <summary>Interactive: one entry per turn, typed and sent with Enter.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];
    /// <summary>Set on top of the local-backend environment (an empty value sets the variable empty).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOverrides { get; init; } = new Dictionary<string, string>();
    /// <summary>Leave CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC unset, so background calls (titles) are sent.</summary>
    public bool NonEssentialTraffic { get; init; }
    public IReadOnlyDictionary<string, string> WorkFiles { get; init; } = new Dictionary<string, string>();
    public string? Description { get; init; }
    /// <summary>The command line that asked for this recording, for the manifest.</summary>
    public string? RecordedWith { get; init; }
    /// <summary>The model name Claude Code is told to use when the upstream is a control or a URL.</summary>
    public string ModelName { get; init; } = "cpu-tiny";
    /// <summary>Generation cap for a profile upstream; null: the profile's MAX_OUTPUT_TOKENS.</summary>
    public int? MaxOutputTokens { get; init; }
    public TimeSpan ClaudeTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan TurnTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>What a recording produced.</summary>
public sealed record RecordingResult(
    TrafficManifest Manifest,
    IReadOnlyList<TrafficRequest> Requests,
    IReadOnlyList<string> Files,
    int? ClaudeExitCode,
    string RunDirectory,
    IReadOnlyList<string> Warnings);

/// <summary>
/// Runs the real Claude Code against a <see cref="RecordingProxy"/> in front of the upstream, with its own HOME and
/// work folder under the cache, then writes the scrubbed fixture.
/// </summary>
public sealed class TrafficRecorder(LocalClaudeContext context, ProgressLog progress)
{
    /// <summary>Variables from the caller's shell that would change what Claude Code sends or where it sends it.</summary>
    private static readonly string[] Unset =
    [
        "CLAUDE_CONFIG_DIR", "ANTHROPIC_CUSTOM_HEADERS", "ANTHROPIC_BETAS", "ANTHROPIC_BEDROCK_BASE_URL", "ANTHROPIC_VERTEX_BASE_URL",
        "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX", "CLAUDE_CODE_MAX_OUTPUT_TOKENS", "MAX_THINKING_TOKENS",
        "CLAUDE_CODE_DISABLE_THINKING", "DISABLE_PROMPT_CACHING", "API_TIMEOUT_MS", "CLAUDE_CODE_ENTRYPOINT", "CLAUDECODE",
        "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy",
        "TMUX", "TMUX_PANE",
    ];

    public async Task<RecordingResult> RecordAsync(RecordingPlan plan, CancellationToken cancellationToken)
    {
        var runDir = context.Home.Ensure(Path.Combine(context.Home.Runs, $"record-{plan.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}"));
        var home = Directory.CreateDirectory(Path.Combine(runDir, "home")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(runDir, "work")).FullName;
        var logs = Directory.CreateDirectory(Path.Combine(runDir, "logs")).FullName;
        Directory.CreateDirectory(Path.Combine(runDir, "tmp"));
        foreach (var (name, content) in plan.WorkFiles)
        {
            var path = Path.GetFullPath(Path.Combine(work, name));
            if (!path.StartsWith(work + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new ArgumentException($"work file '{name}' would land outside the work folder");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, cancellationToken);
        }
        var recordedAt = DateTimeOffset.UtcNow;
        var warnings = new List<string>();

        progress.Step($"upstream: {Describe(plan.Upstream)}");
        await using var upstream = await RunningUpstream.StartAsync(plan.Upstream, context, work, plan.ModelName, cancellationToken, plan.MaxOutputTokens);
        await using var proxy = await RecordingProxy.StartAsync(upstream.BaseUrl, cancellationToken, maxTokensCap: upstream.MaxTokensCap);
        progress.Info($"recording proxy {proxy.BaseUrl} -> {upstream.BaseUrl}");

        var environment = ClaudeEnvironment(plan, proxy.BaseUrl, upstream, runDir, home);
        int? exitCode;
        if (plan.Interactive)
            exitCode = await RunInteractiveAsync(plan, environment, work, proxy, logs, warnings, cancellationToken);
        else
            exitCode = await RunHeadlessAsync(plan, environment, work, logs, cancellationToken);
        // Claude Code can exit a moment before the proxy files the last exchange.
        await proxy.WaitForQuietAsync(0, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), cancellationToken);
        if (exitCode is not 0 and not null) warnings.Add($"Claude Code exited with code {exitCode} (log: {Path.Combine(logs, "claude.log")})");

        var captured = proxy.Exchanges;
        if (captured.Count == 0)
            throw new InvalidOperationException($"Claude Code sent no request through the proxy (log: {logs}); nothing to record");

        var scrubber = new PlaceholderScrubber()
            .Add(work, Placeholders.WorkDir)
            .Add(home, Placeholders.Home)
            .Add(runDir, Placeholders.RunDir)
            .Add(context.Repo.Root, Placeholders.Repo)
            .Add(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Placeholders.UserHome)
            .Add(Environment.MachineName, Placeholders.MachineName)
            .Add(new Uri(proxy.BaseUrl, "/").Authority, Placeholders.Host, mustNotLeak: false)
            .WithAuthToken(upstream.AuthToken)
            .AddDates(recordedAt);
        var requests = TrafficFixtureWriter.Build(captured, scrubber);
        var manifest = new TrafficManifest
        {
            Name = plan.Name,
            Description = plan.Description,
            ClaudeCodeVersion = plan.ClaudeVersion,
            RecordedAt = new DateTimeOffset(recordedAt.Year, recordedAt.Month, recordedAt.Day, recordedAt.Hour, recordedAt.Minute, recordedAt.Second, TimeSpan.Zero),
            RecordedWith = plan.RecordedWith is { } line ? scrubber.Scrub(line) : null,
            Scenario = new TrafficScenario
            {
                Mode = plan.Interactive ? TrafficScenario.Interactive : TrafficScenario.Headless,
                ClaudeArguments = plan.ClaudeArguments.Select(scrubber.Scrub).ToArray(),
                Inputs = plan.Inputs.Select(scrubber.Scrub).ToArray(),
                NonEssentialTraffic = plan.NonEssentialTraffic,
                EnvironmentOverrides = plan.EnvironmentOverrides.ToDictionary(kv => kv.Key, kv => scrubber.ScrubHeader(CredentialLike(kv.Key), kv.Value)),
                Environment = new SortedDictionary<string, string>(environment
                    .Where(kv => kv.Value is not null)
                    .ToDictionary(kv => kv.Key, kv => scrubber.ScrubHeader(CredentialLike(kv.Key), kv.Value!)), StringComparer.Ordinal),
                WorkFiles = plan.WorkFiles,
            },
            Upstream = upstream.Info with { Name = scrubber.Scrub(upstream.Info.Name) },
            RequestCount = requests.Count,
        };
        var files = TrafficFixtureWriter.Write(plan.OutputDirectory, manifest, requests, scrubber);
        var written = TrafficFixture.Load(plan.OutputDirectory);
        return new RecordingResult(written.Manifest, written.Exchanges.Select(e => e.Request).ToArray(), files, exitCode, runDir, warnings);
    }

    /// <summary>Credentials in the environment are scrubbed like credential headers.</summary>
    private static string CredentialLike(string variable) =>
        variable.Contains("TOKEN", StringComparison.Ordinal) || variable.Contains("KEY", StringComparison.Ordinal) ? "authorization" : variable;

    private static string Describe(UpstreamSpec spec) => spec switch
    {
        UpstreamSpec.Profile p => $"profile '{p.Value.Name}' (llama-server)",
        UpstreamSpec.Control c => $"control '{c.Script}' (a scripted responder, not a model)",
        UpstreamSpec.Url u => u.Address.ToString(),
        _ => spec.ToString(),
    };

    /// <summary>The local-backend environment pointed at the proxy, with a private HOME and nothing inherited that would change the requests.</summary>
    private static Dictionary<string, string?> ClaudeEnvironment(RecordingPlan plan, Uri proxy, RunningUpstream upstream, string runDir, string home)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in Unset) env[name] = null;
        foreach (var (key, value) in ClaudeCodeEnvironment.ForLocalBackend(proxy, upstream.ModelName, upstream.AuthToken)) env[key] = value;
        env["HOME"] = home;
        env["XDG_CONFIG_HOME"] = Path.Combine(home, ".config");
        env["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
        env["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share");
        env["XDG_STATE_HOME"] = Path.Combine(home, ".local", "state");
        env["TMPDIR"] = Path.Combine(runDir, "tmp");
        if (plan.NonEssentialTraffic) env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = null;
        foreach (var (key, value) in plan.EnvironmentOverrides) env[key] = value;
        return env;
    }

    private async Task<int?> RunHeadlessAsync(RecordingPlan plan, Dictionary<string, string?> environment, string work, string logs,
        CancellationToken cancellationToken)
    {
        progress.Step($"claude {string.Join(' ', plan.ClaudeArguments.Select(ExternalCommand.Quote))}");
        var result = await ExternalCommand.RunAsync(plan.ClaudeBinary, plan.ClaudeArguments, new CommandOptions
        {
            WorkingDirectory = work,
            Environment = environment,
            Timeout = plan.ClaudeTimeout,
            LogFile = Path.Combine(logs, "claude.log"),
            ThrowOnFailure = false,
        }, cancellationToken);
        progress.Info($"Claude Code exited with {result.ExitCode} after {result.Duration.TotalSeconds:0.0} s");
        return result.ExitCode;
    }

    private async Task<int?> RunInteractiveAsync(RecordingPlan plan, Dictionary<string, string?> environment, string work,
        RecordingProxy proxy, string logs, List<string> warnings, CancellationToken cancellationToken)
    {
        progress.Step($"claude (interactive, tmux) {string.Join(' ', plan.ClaudeArguments.Select(ExternalCommand.Quote))}");
        await using var tmux = await TmuxSession.StartAsync(new TmuxSessionOptions
        {
            Command = [plan.ClaudeBinary, .. plan.ClaudeArguments],
            WorkingDirectory = work,
            Environment = environment,
            Columns = 160,
            Rows = 50,
        }, cancellationToken);
        var ui = new ClaudeCodeTerminal(tmux);
        try
        {
            await PassScreensAsync(ui, cancellationToken);
            foreach (var input in plan.Inputs)
            {
                var before = proxy.Started;
                progress.Info($"turn: {input}");
                await ui.SubmitAsync(input, cancellationToken);
                // The turn's end is the proxy going quiet: a slash command may answer without a ● line.
                if (!await proxy.WaitForQuietAsync(before + 1, TimeSpan.FromSeconds(4), plan.TurnTimeout, cancellationToken))
                    warnings.Add($"turn '{input}': no request, or still busy after {plan.TurnTimeout.TotalSeconds:0} s");
                await ui.CaptureAsync(cancellationToken);
                progress.Info($"  {proxy.Started - before} request(s)");
                await PassScreensAsync(ui, cancellationToken);
            }
            var exit = await ui.ExitAsync(TimeSpan.FromSeconds(15), cancellationToken);
            if (exit is null) warnings.Add("Claude Code did not exit within 15 s of /exit; its tmux server was killed");
            return exit;
        }
        finally
        {
            try { await ui.CaptureAsync(CancellationToken.None); }
            catch (ExternalCommandException) { }
            await File.WriteAllTextAsync(Path.Combine(logs, "screens.txt"), string.Join("\n=====\n", ui.Screens), CancellationToken.None);
        }
    }

    /// <summary>Answers first-run screens (and any dialog after a turn) until the input box shows.</summary>
    private async Task PassScreensAsync(ClaudeCodeTerminal ui, CancellationToken cancellationToken)
    {
        foreach (var screen in await ui.PassFirstRunScreensAsync(ClaudeCodeTerminal.FirstRunTimeout, cancellationToken))
            progress.Info($"first-run screen answered: {screen}");
    }
}
