using LocalClaude.Infrastructure;
using LocalClaude.Provisioning;

namespace LocalClaude.Traffic;

/// <summary>
/// What the user asked <c>record</c> for, as given: unset values fall back to the committed fixture's scenario (with
/// <see cref="Compare"/>), then to the defaults.
/// </summary>
public sealed record RecordingRequest
{
    public required string Name { get; init; }
    public IReadOnlyList<string> ClaudeArguments { get; init; } = [];
    public string? Profile { get; init; }
    /// <summary>An http(s) URL or <c>control:NAME</c>.</summary>
    public string? Upstream { get; init; }
    public string Token { get; init; } = "localclaude";
    public bool Interactive { get; init; }
    public IReadOnlyList<string> Inputs { get; init; } = [];
    /// <summary><c>KEY=VALUE</c> entries of <c>--env</c>.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];
    public bool NonEssentialTraffic { get; init; }
    /// <summary><c>NAME=TEXT</c> entries of <c>--work-file</c>.</summary>
    public IReadOnlyList<string> WorkFiles { get; init; } = [];
    public string? Description { get; init; }
    /// <summary>An installed Claude Code version (<c>setup --claude-code</c>) instead of the pinned one.</summary>
    public string? ClaudeCodeVersion { get; init; }
    /// <summary>Re-record the committed scenario into a scratch folder and compare; the fixture is not touched.</summary>
    public bool Compare { get; init; }
    /// <summary>With <see cref="Compare"/>: where the new recording goes; null: a scratch folder under the temp folder.</summary>
    public string? CompareDirectory { get; init; }
    public string? ClaudeBinary { get; init; }
    public string? ModelName { get; init; }
    public int? MaxOutputTokens { get; init; }
    /// <summary>The fixture folder; null: fixtures/traffic/NAME.</summary>
    public string? OutputDirectory { get; init; }
    /// <summary>The command line, for the manifest.</summary>
    public string? RecordedWith { get; init; }
}

/// <summary>One fixture of <c>record refresh</c>: its re-recording and drift, or why it could not be re-recorded.</summary>
public sealed record FixtureRefresh(string Name, RecordingOutcome? Outcome, string? Problem);

/// <summary>A finished <c>record</c>: the recording, where the fixture is, and with <c>--compare</c> the drift from the committed one.</summary>
public sealed record RecordingOutcome(RecordingResult Result, RecordingPlan Plan, string FixtureDirectory, TrafficFixture? Committed, FixtureDrift? Drift);

/// <summary>
/// The <c>record</c> workflow: checks the request (a bad one throws <see cref="ArgumentException"/>), fills it from the
/// committed scenario, finds Claude Code, records, and compares.
/// </summary>
public static class RecordingWorkflow
{
    /// <summary><paramref name="name"/> if it can name a fixture folder (letters, digits, '-', '_', '.'; not hidden).</summary>
    public static string CheckFixtureName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && !name.StartsWith('.') ? name
            : throw new ArgumentException($"fixture name '{name}': use letters, digits, '-', '_' and '.'");

    public static async Task<RecordingOutcome> RunAsync(LocalClaudeContext context, RecordingRequest request, ProgressLog progress, CancellationToken ct)
    {
        var name = CheckFixtureName(request.Name);
        var committedDir = request.OutputDirectory ?? Path.Combine(context.Repo.Traffic, name);
        var committed = request.Compare ? TrafficFixture.Load(committedDir) : null;
        if (committed?.Manifest.Scenario.Mode == TrafficScenario.Imported)
            throw new ArgumentException($"{committedDir} was imported from an HTTP Archive: how Claude Code was run is not known, so it cannot be re-recorded");

        var scenario = committed?.Manifest.Scenario;
        var interactive = request.Interactive || scenario?.Mode == TrafficScenario.Interactive;
        IReadOnlyList<string> arguments = request.ClaudeArguments.Count == 0 && scenario is not null ? scenario.ClaudeArguments : request.ClaudeArguments;
        var inputs = request.Inputs.Count > 0 ? request.Inputs : scenario?.Inputs ?? [];
        var overrides = ParsePairs(request.Environment, "--env");
        if (overrides.Count == 0 && scenario is not null) overrides = new Dictionary<string, string>(scenario.EnvironmentOverrides);
        var files = ParsePairs(request.WorkFiles, "--work-file");
        if (files.Count == 0 && scenario is not null) files = new Dictionary<string, string>(scenario.WorkFiles);
        if (!interactive) arguments = HeadlessArguments(arguments);
        else if (inputs.Count == 0)
            throw new ArgumentException("an interactive recording needs at least one --input (a turn to type)");

        var upstream = Upstream(context, request, committed?.Manifest.Upstream, out var claudeModel);
        // Bad arguments fail before anything is looked for or started.
        if (request.ClaudeBinary is not null && request.ClaudeCodeVersion is not null)
            throw new ArgumentException("give --claude PATH or --claude-code VERSION, not both");
        var binary = request.ClaudeBinary ?? ClaudeCodeInstall.Require(context.Home, request.ClaudeCodeVersion).Binary;
        var version = await ClaudeCodeInstall.ReadVersionAsync(binary, ct)
            ?? throw new InvalidOperationException($"'{binary} --version' failed");

        var plan = new RecordingPlan
        {
            Name = name,
            OutputDirectory = request.Compare
                ? request.CompareDirectory ?? Path.Combine(Path.GetTempPath(), $"localclaude-compare-{name}-{Environment.ProcessId}")
                : committedDir,
            Upstream = upstream,
            ClaudeBinary = binary,
            ClaudeVersion = version,
            Interactive = interactive,
            ClaudeArguments = arguments,
            Inputs = inputs,
            EnvironmentOverrides = overrides,
            NonEssentialTraffic = request.NonEssentialTraffic || scenario?.NonEssentialTraffic == true,
            WorkFiles = files,
            Description = request.Description ?? committed?.Manifest.Description,
            RecordedWith = request.RecordedWith,
            ModelName = claudeModel,
            MaxOutputTokens = request.MaxOutputTokens ?? committed?.Manifest.Upstream.MaxOutputTokens,
        };

        var result = await new TrafficRecorder(context, progress).RecordAsync(plan, ct);
        var drift = committed is null ? null : FixtureDrift.Compare(committed, TrafficFixture.Load(plan.OutputDirectory));
        return new RecordingOutcome(result, plan, committedDir, committed, drift);
    }

    /// <summary>
    /// <c>record refresh</c>: every committed fixture re-recorded with the chosen Claude Code into
    /// <paramref name="scratch"/>/NAME, each against the upstream kind it was recorded with, and compared. The committed
    /// fixtures are never touched: a maintainer reads the drift and moves fixtures to the new version on purpose.
    /// One fixture that cannot be re-recorded (imported from a HAR, or its upstream fails) does not stop the others.
    /// </summary>
    public static async Task<IReadOnlyList<FixtureRefresh>> RefreshAllAsync(LocalClaudeContext context, string? claudeCodeVersion, string scratch,
        ProgressLog progress, CancellationToken ct)
    {
        ClaudeCodeInstall.Require(context.Home, claudeCodeVersion);
        var refreshed = new List<FixtureRefresh>();
        foreach (var folder in TrafficFixture.FindAll(context.Repo.Traffic))
        {
            var name = Path.GetFileName(folder);
            if (TrafficFixture.Load(folder).Manifest.Scenario.Mode == TrafficScenario.Imported)
            {
                progress.Info($"{name}: imported from an HTTP Archive, so there is no scenario to re-record");
                continue;
            }
            progress.Step($"re-recording {name}");
            try
            {
                var outcome = await RunAsync(context, new RecordingRequest
                {
                    Name = name,
                    Compare = true,
                    OutputDirectory = folder,
                    CompareDirectory = Path.Combine(scratch, name),
                    ClaudeCodeVersion = claudeCodeVersion,
                    RecordedWith = $"tools/localclaude record refresh{(claudeCodeVersion is null ? "" : $" --claude-code {claudeCodeVersion}")}",
                }, progress, ct);
                refreshed.Add(new FixtureRefresh(name, outcome, null));
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                progress.Warn($"{name}: {e.Message.Split('\n')[0]}");
                refreshed.Add(new FixtureRefresh(name, null, e.Message.Split('\n')[0]));
            }
        }
        return refreshed;
    }

    /// <summary>Headless recordings use stream-json output, as the E2E runner does.</summary>
    private static IReadOnlyList<string> HeadlessArguments(IReadOnlyList<string> arguments)
    {
        if (!arguments.Any(a => a is "-p" or "--print"))
            throw new ArgumentException("a headless recording needs -p PROMPT after -- (or use --interactive)");
        return arguments.Any(a => a.StartsWith("--output-format", StringComparison.Ordinal))
            ? arguments
            : [.. arguments, "--output-format", "stream-json", "--verbose"];
    }

    private static UpstreamSpec Upstream(LocalClaudeContext context, RecordingRequest request, TrafficUpstream? committed, out string claudeModel)
    {
        var (profile, upstream) = (request.Profile, request.Upstream);
        if (profile is not null && upstream is not null) throw new ArgumentException("give --profile or --upstream, not both");
        claudeModel = request.ModelName ?? context.Profile(LocalClaudeContext.SelectedProfileName).ServedModelName;
        if (upstream is null && profile is null && committed is not null)
        {
            upstream = committed.Kind switch
            {
                TrafficUpstream.ControlKind => "control:" + committed.Name,
                TrafficUpstream.UrlKind => committed.Name,
                _ => null,
            };
            if (committed.Kind == TrafficUpstream.ProfileKind) profile = committed.Name;
        }
        if (upstream is null)
        {
            var selected = context.Profile(profile ?? LocalClaudeContext.SelectedProfileName);
            claudeModel = selected.ServedModelName;
            return new UpstreamSpec.Profile(selected);
        }
        if (upstream.StartsWith("control:", StringComparison.Ordinal))
        {
            var script = upstream["control:".Length..];
            if (!RecordingControls.Descriptions.ContainsKey(script))
                throw new ArgumentException($"unknown control '{script}'; known: {string.Join(", ", RecordingControls.Descriptions.Keys)}");
            return new UpstreamSpec.Control(script);
        }
        if (!Uri.TryCreate(upstream, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ArgumentException($"--upstream '{upstream}' is neither an http(s) URL nor control:NAME");
        return new UpstreamSpec.Url(url, request.Token, claudeModel);
    }

    private static Dictionary<string, string> ParsePairs(IReadOnlyList<string> values, string option)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=');
            if (equals <= 0) throw new ArgumentException($"{option} '{value}': expected NAME=VALUE");
            pairs[value[..equals]] = value[(equals + 1)..];
        }
        return pairs;
    }
}
