using System.Globalization;
using LocalClaude.Infrastructure;
using LocalClaude.Results;
using LocalClaude.Terminal;

namespace LocalClaude.Agents;

/// <summary>How an E2E run goes: trials per task, how many at once, where things land, the caps that keep it short.</summary>
public sealed record E2ERunOptions
{
    /// <summary>Per-trial folders (work dir, HOME, log, answer) go here, as <c>TASK/trial-N/</c>.</summary>
    public required string RunDirectory { get; init; }
    /// <summary>Where transcripts go (<c>TASK.trial-N.jsonl</c>); null: inside each trial folder.</summary>
    public string? TranscriptDirectory { get; init; }
    public int Trials { get; init; } = 1;
    /// <summary>Trials running at once; null: the backend's suggestion.</summary>
    public int? Parallelism { get; init; }
    /// <summary>Caps each task's own <c>timeout_seconds</c> (CI time); null: the task's timeout.</summary>
    public TimeSpan? TimeoutCap { get; init; }
    /// <summary>CLAUDE_CODE_MAX_OUTPUT_TOKENS for Claude Code (the profile's MAX_OUTPUT_TOKENS on CPU profiles).</summary>
    public int? MaxOutputTokens { get; init; }
    /// <summary>CLAUDE_CODE_MAX_RETRIES: Claude Code's default of 10 backed-off retries turns one broken request into minutes.</summary>
    public int? MaxRetries { get; init; } = 2;
    public ProgressLog Progress { get; init; } = ProgressLog.Silent;
}

/// <summary>One trial as the driver saw it: the result-file record plus everything behind it.</summary>
public sealed record E2ETrialResult(
    TaskFixture Task,
    TaskTrial Record,
    TaskFailureKind? FailureKind,
    ClaudeCodeRunResult Run,
    TaskCheckResult Check,
    string TrialDirectory,
    string WorkDirectory,
    string? RequestsFile)
{
    public bool Passed => Record.Passed;
    public StreamJsonTranscript Transcript => Run.Transcript;
}

/// <summary>An interactive (tmux) trial: whether the turn ended in time, the checker's verdict, the last screen.</summary>
/// <param name="FirstRunScreens">The first-run screens that were answered (a fresh HOME shows them all).</param>
public sealed record InteractiveTrialResult(
    TaskFixture Task,
    bool Passed,
    bool TurnEnded,
    TaskCheckResult Check,
    string FinalScreen,
    IReadOnlyList<string> FirstRunScreens,
    TimeSpan Wall,
    string TrialDirectory,
    string WorkDirectory,
    string? RequestsFile);

/// <summary>The harness itself failed (the sandbox or Claude Code did not start): not a verdict on the model.</summary>
public sealed class E2EHarnessException(string message, Exception? inner = null) : Exception(message, inner), IExpectedFailure;

/// <summary>
/// Runs tasks through the real Claude Code: for each task × trial a fresh work dir with the task's starting files,
/// Claude Code headless in the sandbox against the backend, then the hidden checker (which never was in the work
/// dir or anywhere the sandbox could see), then the failure kind.
/// </summary>
public sealed class E2EDriver(ClaudeCodeRunner runner)
{
    public async Task<IReadOnlyList<E2ETrialResult>> RunAsync(
        IReadOnlyList<TaskFixture> tasks, IE2EBackend backend, E2ERunOptions options, CancellationToken ct)
    {
        if (tasks.Count == 0) throw new ArgumentException("no tasks to run", nameof(tasks));
        if (options.Trials < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Trials, "Trials must be at least 1");
        var parallelism = Math.Max(1, options.Parallelism ?? backend.SuggestedParallelism);
        var work = tasks.SelectMany(t => Enumerable.Range(1, options.Trials).Select(n => (Task: t, Trial: n))).ToList();
        var done = 0;
        options.Progress.Step($"{work.Count} trial(s) of {tasks.Count} task(s) against {Describe(backend)}, {parallelism} at a time");

        using var gate = new SemaphoreSlim(parallelism);
        var running = work.Select(async item =>
        {
            await gate.WaitAsync(ct);
            try
            {
                var result = await RunTrialAsync(item.Task, item.Trial, backend, options, ct);
                var n = Interlocked.Increment(ref done);
                options.Progress.Info($"[{n}/{work.Count}] {Line(result)}");
                return result;
            }
            finally { gate.Release(); }
        }).ToList();
        var results = await Task.WhenAll(running);
        return results.OrderBy(r => r.Task.Id, StringComparer.Ordinal).ThenBy(r => r.Record.Trial).ToList();
    }

    /// <summary>One trial, start to verdict.</summary>
    public async Task<E2ETrialResult> RunTrialAsync(TaskFixture task, int trial, IE2EBackend backend, E2ERunOptions options, CancellationToken ct)
    {
        var trialName = string.Create(CultureInfo.InvariantCulture, $"trial-{trial}");
        var trialDirectory = Path.GetFullPath(Path.Combine(options.RunDirectory, task.Id, trialName));
        if (Directory.Exists(trialDirectory)) Directory.Delete(trialDirectory, recursive: true);
        var workDirectory = task.PrepareWorkDirectory(Path.Combine(trialDirectory, "work"));
        var home = Directory.CreateDirectory(Path.Combine(trialDirectory, "home")).FullName;
        var transcriptPath = options.TranscriptDirectory is null
            ? Path.Combine(trialDirectory, "transcript.jsonl")
            : Path.Combine(options.TranscriptDirectory, $"{task.Id}.{trialName}.jsonl");

        ClaudeCodeRunResult run;
        string? requestsFile;
        await using (var lease = await backend.LeaseAsync(task, ct))
        {
            run = await runner.RunHeadlessAsync(Invocation(task, options, lease.Backend, trialDirectory, workDirectory, home, transcriptPath), ct);
            requestsFile = await lease.SaveRequestsAsync(trialDirectory, ct);
        }

        // Claude Code printed nothing at all and exited: the sandbox or the binary failed, not the model.
        if (!run.TimedOut && run.Transcript.Lines == 0 && run.ExitCode != 0)
            throw new E2EHarnessException($"{task.Id} {trialName}: Claude Code exited with {run.ExitCode} before its first event (log: {run.LogPath}):\n{run.LogTail}");

        var answerFile = Path.Combine(trialDirectory, "answer.txt");
        await File.WriteAllTextAsync(answerFile, run.Transcript.FinalText ?? "", ct);
        var check = await task.CheckAsync(workDirectory, answerFile, TimeSpan.FromSeconds(60), ct, runner.Sandbox);
        var kind = TaskFailureKinds.Classify(run.TimedOut, check.Passed, run.Transcript);
        var transcript = run.Transcript;
        var record = new TaskTrial
        {
            Task = task.Id,
            Category = task.Definition.Category,
            Trial = trial,
            Passed = kind is null,
            FailureKind = kind?.Name(),
            CheckerMessage = check.Message,
            WallSeconds = Math.Round(run.Wall.TotalSeconds, 3),
            Turns = transcript.Turns,
            ToolCalls = transcript.ToolCalls.Count,
            ApiErrors = transcript.ApiErrors,
            ConnectionRetries = transcript.ConnectionRetries,
            MalformedToolCalls = transcript.MalformedToolCalls,
            Rejections = transcript.Rejections,
            InputTokens = Clamp(transcript.InputTokens),
            OutputTokens = Clamp(transcript.OutputTokens),
            TimeToFirstTokenSeconds = transcript.TimeToFirstToken is { } ttft ? Math.Round(ttft.TotalSeconds, 3) : null,
            Transcript = run.TranscriptPath,
            Control = backend.Control,
        };
        return new E2ETrialResult(task, record, kind, run, check, trialDirectory, workDirectory, requestsFile);
    }

    /// <summary>One task's Claude Code run: its instruction, tools and turns, the timeout capped by the options, this trial's folders.</summary>
    private static ClaudeCodeInvocation Invocation(TaskFixture task, E2ERunOptions options, ClaudeCodeBackend backend,
        string trialDirectory, string workDirectory, string home, string transcriptPath) => new()
        {
            Instruction = task.Definition.Instruction,
            AllowedTools = task.Definition.AllowedTools,
            MaxTurns = task.Definition.MaxTurns,
            Timeout = options.TimeoutCap is { } cap && cap < task.Definition.Timeout ? cap : task.Definition.Timeout,
            WorkDirectory = workDirectory,
            HomeDirectory = home,
            Backend = backend,
            TranscriptPath = transcriptPath,
            LogPath = Path.Combine(trialDirectory, "claude.log"),
            MaxOutputTokens = options.MaxOutputTokens,
            MaxRetries = options.MaxRetries,
        };

    /// <summary>
    /// The same task through Claude Code's interactive UI under tmux (the smoke test of that mode): a fresh work dir
    /// and HOME, the first-run screens answered, the instruction typed, the turn awaited, then the hidden checker
    /// with the final screen as the answer. There is no stream-json in this mode, so nothing is counted.
    /// </summary>
    public async Task<InteractiveTrialResult> RunInteractiveTrialAsync(TaskFixture task, IE2EBackend backend, E2ERunOptions options, CancellationToken ct)
    {
        var trialDirectory = Path.GetFullPath(Path.Combine(options.RunDirectory, task.Id, "interactive"));
        if (Directory.Exists(trialDirectory)) Directory.Delete(trialDirectory, recursive: true);
        var workDirectory = task.PrepareWorkDirectory(Path.Combine(trialDirectory, "work"));
        var home = Directory.CreateDirectory(Path.Combine(trialDirectory, "home")).FullName;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<string> screens;
        bool ended;
        string screen;
        string? requestsFile;
        await using (var lease = await backend.LeaseAsync(task, ct))
        {
            var invocation = Invocation(task, options, lease.Backend, trialDirectory, workDirectory, home, Path.Combine(trialDirectory, "transcript.jsonl"));
            await using (var sandbox = await runner.StartSandboxAsync(invocation, interactive: true, ct))
            await using (var tmux = await TmuxSession.StartAsync(new TmuxSessionOptions
            {
                Command = sandbox.BuildCommandLine(runner.BinaryInside, ["--allowedTools", string.Join(",", invocation.AllowedTools)]),
                WorkingDirectory = "/",
                Columns = 140,
                Rows = 45,
            }, ct))
            {
                var ui = new ClaudeCodeTerminal(tmux);
                screens = (await ui.PassFirstRunScreensAsync(ClaudeCodeTerminal.FirstRunTimeout, ct)).Select(s => s.ToString()).ToArray();
                await ui.SubmitAsync(task.Definition.Instruction, ct);
                (ended, screen, _) = await ui.WaitForTurnEndAsync(task.Definition.Instruction, invocation.Timeout - clock.Elapsed, ct);
                if (ended) await ui.ExitAsync(TimeSpan.FromSeconds(15), ct);
            }
            requestsFile = await lease.SaveRequestsAsync(trialDirectory, ct);
        }
        clock.Stop();
        await File.WriteAllTextAsync(Path.Combine(trialDirectory, "screen.txt"), screen, ct);
        var check = await task.CheckAnswerAsync(workDirectory, screen, TimeSpan.FromSeconds(60), ct, runner.Sandbox);
        return new InteractiveTrialResult(task, ended && check.Passed, ended, check, screen, screens, clock.Elapsed, trialDirectory, workDirectory, requestsFile);
    }

    private static int Clamp(long value) => (int)Math.Min(value, int.MaxValue);

    private static string Describe(IE2EBackend backend) =>
        backend.Control is null ? $"profile '{backend.Name}'" : $"the {backend.Control} CONTROL backend";

    private static string Line(E2ETrialResult r)
    {
        var t = r.Record;
        var verdict = t.Passed ? "pass" : $"FAIL ({t.FailureKind})";
        return string.Create(CultureInfo.InvariantCulture,
            $"{t.Task} #{t.Trial}: {verdict} in {t.WallSeconds:0.0} s, {t.Turns} turn(s), {t.ToolCalls} tool call(s), {t.ApiErrors} API error(s){(t.ConnectionRetries > 0 ? $" ({t.ConnectionRetries} without status: connection lost, retried)" : "")}: {r.Check.Message}");
    }
}
