using System.Diagnostics;
using LocalClaude.Infrastructure;
using LocalClaude.Profiles;
using LocalClaude.Provisioning;
using LocalClaude.Results;
using LocalClaude.Sandbox;
using LocalClaude.Server;

namespace LocalClaude.Agents;

/// <summary>What one <c>e2e</c> run covers and where its output goes.</summary>
public sealed record E2ESuiteOptions
{
    /// <summary>The result file; transcripts go beside it in <c>NAME.transcripts/</c>.</summary>
    public required string ResultPath { get; init; }
    /// <summary>Task folder names to run (<c>*</c> and <c>?</c>).</summary>
    public string TaskGlob { get; init; } = "*";
    public int Trials { get; init; } = 1;
    public int? Parallelism { get; init; }
    public TimeSpan? TimeoutCap { get; init; }
    /// <summary>The installed Claude Code version to run (<c>setup --claude-code</c>); null: the pinned one.</summary>
    public string? ClaudeCodeVersion { get; init; }
    /// <summary>CLAUDE_CODE_MAX_OUTPUT_TOKENS; null: the profile's MAX_OUTPUT_TOKENS (none for profiles without one).</summary>
    public int? MaxOutputTokens { get; init; }
    /// <summary>Per-trial folders; null: a fresh folder under the cache's runs/.</summary>
    public string? RunDirectory { get; init; }
    /// <summary>The command line recorded in the result file.</summary>
    public string? Command { get; init; }
    public ProgressLog Progress { get; init; } = ProgressLog.Silent;
}

/// <summary>A finished run: the saved result file, the matrix printed from it, and every trial behind it.</summary>
public sealed record E2ESuiteResult(ResultFile File, string ResultPath, CapabilityMatrix Matrix, IReadOnlyList<E2ETrialResult> Trials, string RunDirectory)
{
    /// <summary>
    /// The e2e verdict as an exit code: the controls prove the pipeline (every task passes with the oracle, none with
    /// the no-op); a profile fails on a failed trial unless asked for a report only or it is SYNTHETIC (random weights
    /// follow no instruction, so failing every task is their honest, expected result).
    /// </summary>
    public int ExitCode(ControlKind? control, bool synthetic, bool reportOnly)
    {
        var failed = File.Trials.Count(t => !t.Passed);
        var verdict = control switch
        {
            ControlKind.Oracle => failed > 0,
            ControlKind.NoOp => File.Trials.Any(t => t.Passed),
            _ => failed > 0 && !reportOnly && !synthetic,
        };
        return verdict ? ExitCodes.Verdict : ExitCodes.Ok;
    }
}

/// <summary>
/// The whole <c>e2e</c> command as a library call: tasks from <c>fixtures/tasks</c>, the pinned Claude Code from the
/// cache, the sandbox, a backend (the profile's llama-server or a control), the driver, the matrix, the result file.
/// </summary>
public sealed class E2ESuite(LocalClaudeContext context, BwrapSandbox? sandbox = null)
{
    private readonly BwrapSandbox _sandbox = sandbox ?? new BwrapSandbox();

    /// <summary>The Claude Code <paramref name="version"/> (default the pinned one) from the cache, or a clear error naming the command that installs it.</summary>
    public ClaudeCodeInstall RequireClaudeCode(string? version = null) => ClaudeCodeInstall.Require(context.Home, version);

    public IReadOnlyList<TaskFixture> LoadTasks(string glob)
    {
        var tasks = TaskFixture.LoadAll(context.Repo.Tasks, glob);
        return tasks.Count > 0 ? tasks : throw new ArgumentException($"no task in {context.Repo.Tasks} matches '{glob}'");
    }

    /// <summary>Starts the profile's llama-server (or attaches to the target's) and runs the tasks against it.</summary>
    public async Task<E2ESuiteResult> RunProfileAsync(ModelProfile profile, ServerTarget target, E2ESuiteOptions options, CancellationToken ct)
    {
        var claude = RequireClaudeCode(options.ClaudeCodeVersion);
        var tasks = LoadTasks(options.TaskGlob);
        await EnsureSandboxAsync(ct);
        options.Progress.Step(target.AttachUrl is null ? $"starting llama-server for '{profile.Name}'" : $"attaching to {target.AttachUrl} as profile '{profile.Name}'");
        await using var server = await ServerUnderTest.OpenAsync(context, profile, target, ct);
        options.Progress.Info($"{server.BaseUrl} llama-server {server.Info.Version ?? "(version unknown)"}");
        return await RunAsync(profile, new LlamaServerBackend(server), server.Info, claude, tasks, options, ct);
    }

    /// <summary>Runs the tasks against a CONTROL backend, with the profile's caps; the result is the control's, never the profile's.</summary>
    public async Task<E2ESuiteResult> RunControlAsync(ModelProfile profile, ControlKind control, E2ESuiteOptions options, CancellationToken ct)
    {
        var claude = RequireClaudeCode(options.ClaudeCodeVersion);
        var tasks = LoadTasks(options.TaskGlob);
        await EnsureSandboxAsync(ct);
        var backend = ControlBackend.Create(control);
        return await RunAsync(profile, backend, new ServerInfo { Version = $"scripted control ({backend.Control})", Build = "control" }, claude, tasks, options, ct);
    }

    private async Task EnsureSandboxAsync(CancellationToken ct)
    {
        var probe = await _sandbox.ProbeAsync(ct);
        probe.EnsureUsable(withNetwork: true);
    }

    private async Task<E2ESuiteResult> RunAsync(ModelProfile profile, IE2EBackend backend, ServerInfo server, ClaudeCodeInstall claude,
        IReadOnlyList<TaskFixture> tasks, E2ESuiteOptions options, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var resultPath = Path.GetFullPath(options.ResultPath);
        var transcripts = Path.Combine(Path.GetDirectoryName(resultPath)!, Path.GetFileNameWithoutExtension(resultPath) + ".transcripts");
        if (Directory.Exists(transcripts)) Directory.Delete(transcripts, recursive: true);
        Directory.CreateDirectory(transcripts);
        var runDirectory = options.RunDirectory ?? Path.Combine(context.Home.Runs, $"e2e-{backend.Name}-{started:yyyyMMdd-HHmmss}-{Environment.ProcessId}");

        var outputCap = options.MaxOutputTokens ?? profile.MaxOutputTokens;
        var driver = new E2EDriver(new ClaudeCodeRunner(_sandbox, claude.Binary));
        var trials = await driver.RunAsync(tasks, backend, new E2ERunOptions
        {
            RunDirectory = runDirectory,
            TranscriptDirectory = transcripts,
            Trials = options.Trials,
            Parallelism = options.Parallelism,
            TimeoutCap = options.TimeoutCap,
            MaxOutputTokens = outputCap,
            Progress = options.Progress,
        }, ct);

        var run = new RunInfo
        {
            Profile = backend.Name,
            ProfileDescription = backend.Control is null
                ? profile.Description
                : $"CONTROL backend ({backend.Control}), not a model: proves the driver, the sandbox and the checkers (run with profile '{profile.Name}''s caps)",
            Server = server,
            ClaudeCodeVersion = trials.Select(t => t.Transcript.ClaudeCodeVersion).FirstOrDefault(v => v is not null) ?? claude.Version,
            StartedAt = started,
            DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            Command = options.Command,
            SuiteCommit = await SuiteVersion.CommitAsync(context.Repo, ct),
        };
        var titles = tasks.ToDictionary(t => t.Id, t => t.Definition.Title, StringComparer.Ordinal);
        var file = CapabilityMatrix.ToResultFile(run, trials.Select(t => t.Record).ToList(), titles, resultPath);
        // Evidence: the max_tokens every request of this run asked for (CLAUDE_CODE_MAX_OUTPUT_TOKENS).
        if (outputCap is { } cap) file = file with { Metrics = new Dictionary<string, double>(file.Metrics) { [ReportMetrics.E2EMaxOutputTokens.Name] = cap } };
        file.Save(resultPath);
        return new E2ESuiteResult(file, resultPath, CapabilityMatrix.FromResultFiles([file]), trials, runDirectory);
    }
}
