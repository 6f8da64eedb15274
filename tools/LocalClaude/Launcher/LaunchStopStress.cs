using System.Diagnostics;
using System.Globalization;
using LocalClaude.Infrastructure;
using LocalClaude.Terminal;

namespace LocalClaude.Launcher;

/// <summary>How one stress run of <c>launch local</c> ended.</summary>
public sealed record LaunchStopRun(
    int Number, string Mode, string Variant, double? SecondsToExit, bool Hung, bool StoppedPrinted, int? ExitCode,
    IReadOnlyList<string> LeftBehind)
{
    /// <summary>The launcher ended before Claude Code did: something (a signal from the sandbox's tree?) stopped it early.</summary>
    public bool EndedEarly => !Hung && SecondsToExit is null;
    /// <summary>
    /// Ended as it should. The group-signal stand-in signals its own process group inside the sandbox, which may take
    /// the sandbox's init shell with it, so Claude Code's exit code there is the stand-in's doing, not the launcher's.
    /// </summary>
    public bool Clean => !Hung && !EndedEarly && StoppedPrinted && (ExitCode == 0 || Variant == "group-signal" && ExitCode is not null)
                         && LeftBehind.Count == 0;
}

/// <summary>
/// Runs the real <c>tools/localclaude launch local</c> many times through its stop path and counts hangs: each run
/// starts its own llama-server (<c>--new-server</c>) and a stand-in for Claude Code (<c>--claude</c>) that either
/// ends at once ("idle") or ends while a streamed answer is still coming through the bridge ("mid-stream"), the state
/// a user leaves with <c>/exit</c> during a turn. Headless runs the launcher with no terminal; interactive types the
/// command into a bash in a private tmux, as a user would. A run hangs when the launcher has not exited
/// <see cref="HangAfter"/> after the stand-in ended.
/// </summary>
public sealed class LaunchStopStress(RepoLayout repo, string profile, TextWriter progress)
{
    public static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(30);
    public static readonly IReadOnlyList<string> Variants = ["idle", "mid-stream", "group-signal"];

    /// <summary>In the launcher's environment, so everything it starts outside the sandbox (llama-server) inherits it.</summary>
    private const string RunMarker = "LOCALCLAUDE_STRESS_RUN";

    // The stand-in Claude Code: $1 is the variant. It writes 'claude-ended' in the work dir as its last act.
    private const string StandIn = """
        #!/bin/sh
        if [ "$1" = mid-stream ]; then
          curl -sN -m 120 "$ANTHROPIC_BASE_URL/v1/messages" -H 'content-type: application/json' \
            -H "authorization: Bearer $ANTHROPIC_AUTH_TOKEN" -H 'anthropic-version: 2023-06-01' \
            -d '{"model":"stress","max_tokens":4000,"stream":true,"messages":[{"role":"user","content":"Count to a thousand."}]}' \
            > "$HOME/stream.out" 2>&1 &
          i=0
          until grep -q content_block_delta "$HOME/stream.out" 2>/dev/null || [ $i -ge 400 ]; do sleep 0.05; i=$((i + 1)); done
        fi
        if [ "$1" = group-signal ]; then
          # A client that cleans up its process group on exit, as a TUI may: every signal a user's terminal would send.
          trap '' HUP INT TERM
          kill -HUP 0; kill -INT 0; kill -TERM 0
        fi
        date > claude-ended
        """;

    public async Task<IReadOnlyList<LaunchStopRun>> RunAsync(int runs, bool interactive, CancellationToken cancellationToken)
    {
        var results = new List<LaunchStopRun>();
        for (var number = 1; number <= runs; number++)
        {
            var variant = Variants[(number - 1) % Variants.Count];
            var result = interactive
                ? await RunInteractiveAsync(number, variant, cancellationToken)
                : await RunHeadlessAsync(number, variant, cancellationToken);
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {number}/{runs} {result.Mode} {variant}: {(result.Hung ? "HUNG" : result.EndedEarly ? "ENDED before Claude Code did" : $"exited {result.SecondsToExit:0.00} s after Claude Code")}" +
                $"{(result.StoppedPrinted ? "" : ", no 'stopped.'")}{(result.LeftBehind.Count > 0 ? $", left {result.LeftBehind.Count} process(es)" : "")}"));
            results.Add(result);
        }
        return results;
    }

    private async Task<LaunchStopRun> RunHeadlessAsync(int number, string variant, CancellationToken cancellationToken)
    {
        using var scratch = new StressScratch();
        var before = Snapshot();
        var start = new ProcessStartInfo(Launcher) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in LaunchArguments(scratch, variant)) start.ArgumentList.Add(argument);
        start.Environment[RunMarker] = scratch.Id;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var exited = await WaitAsync(() => Task.FromResult(process.HasExited), scratch, cancellationToken);
        if (!exited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout + await stderr;
        return Finish(number, "headless", variant, scratch, exited, output, exited ? process.ExitCode : null, before);
    }

    private async Task<LaunchStopRun> RunInteractiveAsync(int number, string variant, CancellationToken cancellationToken)
    {
        using var scratch = new StressScratch();
        var before = Snapshot();
        await using var tmux = await TmuxSession.StartAsync(new TmuxSessionOptions
        {
            Command = ["/bin/bash", "--norc", "--noprofile"],
            WorkingDirectory = scratch.Root,
            Columns = 200,
            Rows = 50,
        }, cancellationToken);
        // Output goes to the terminal, as a user's would: a background write or tcsetattr there behaves unlike a file.
        await tmux.TypeAsync($"{RunMarker}={scratch.Id} {ExternalCommand.Display(Launcher, LaunchArguments(scratch, variant))}; echo launch-exit=$?", cancellationToken);
        await tmux.SendKeysAsync(cancellationToken, "Enter");
        int? exitCode = null;
        var exited = await WaitAsync(async () =>
        {
            var screen = await tmux.CaptureAsync(cancellationToken);
            var at = screen.LastIndexOf("launch-exit=", StringComparison.Ordinal);
            if (at < 0 || at == screen.IndexOf("launch-exit=$?", StringComparison.Ordinal)) return false;
            var digits = new string(screen[(at + "launch-exit=".Length)..].TakeWhile(char.IsAsciiDigit).ToArray());
            exitCode = int.TryParse(digits, CultureInfo.InvariantCulture, out var code) ? code : null;
            return exitCode is not null;
        }, scratch, cancellationToken);
        var output = await tmux.CaptureAsync(cancellationToken);
        return Finish(number, "interactive", variant, scratch, exited, output, exitCode, before);
    }

    private IReadOnlyList<string> LaunchArguments(StressScratch scratch, string variant) =>
    [
        "launch", "local", "--profile", profile, "--new-server", "--workdir", scratch.Work, "--sandbox-home", scratch.Home,
        "--claude", scratch.WriteStandIn(StandIn), "--", variant,
    ];

    private string Launcher => Path.Combine(repo.Root, "tools", "localclaude");

    /// <summary>Waits for the stand-in to end (at most 3 minutes, the server's start included), then up to <see cref="HangAfter"/> for the launcher.</summary>
    private static async Task<bool> WaitAsync(Func<Task<bool>> launcherExited, StressScratch scratch, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(scratch.ClaudeEnded) && clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (await launcherExited()) return true;
            await Task.Delay(100, cancellationToken);
        }
        var ended = Stopwatch.StartNew();
        while (ended.Elapsed < HangAfter)
        {
            if (await launcherExited()) return true;
            await Task.Delay(100, cancellationToken);
        }
        return false;
    }

    private static LaunchStopRun Finish(int number, string mode, string variant, StressScratch scratch, bool exited, string output,
        int? exitCode, HashSet<int> before)
    {
        double? seconds = exited && File.Exists(scratch.ClaudeEnded)
            ? (DateTime.UtcNow - File.GetLastWriteTimeUtc(scratch.ClaudeEnded)).TotalSeconds
            : null;
        // Whatever this run started and left: what inherited its marker (llama-server) or names its folder (the sandbox).
        var marker = System.Text.Encoding.UTF8.GetBytes($"{RunMarker}={scratch.Id}\0");
        var left = ProcessTable.Snapshot()
            .Where(p => !before.Contains(p.Pid) && !p.Zombie && p.Pid != Environment.ProcessId
                        && (p.CommandLine.Contains(scratch.Root, StringComparison.Ordinal) || ProcessTable.EnvironmentContains(p.Pid, marker) == true)
                        // The run's own private tmux server, stopped after this count.
                        && !p.CommandLine.StartsWith("tmux ", StringComparison.Ordinal))
            .ToArray();
        foreach (var process in left)
        {
            try { Process.GetProcessById(process.Pid).Kill(); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { }
        }
        return new LaunchStopRun(number, mode, variant, seconds, !exited, output.Contains("stopped.", StringComparison.Ordinal), exitCode,
            left.Select(p => $"{p.Pid} {p.CommandLine}").ToArray());
    }

    private static HashSet<int> Snapshot() => ProcessTable.Snapshot().Select(p => p.Pid).ToHashSet();

    /// <summary>A run's own folders: work dir, sandbox HOME and the stand-in, removed afterwards.</summary>
    private sealed class StressScratch : IDisposable
    {
        public StressScratch()
        {
            Root = Directory.CreateTempSubdirectory("localclaude-stress-").FullName;
            Directory.CreateDirectory(Work);
            Directory.CreateDirectory(Home);
            // The sandbox's uid must reach the stand-in and the folders handed to it.
            File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        public string Root { get; }
        public string Id => Path.GetFileName(Root);
        public string Work => Path.Combine(Root, "work");
        public string Home => Path.Combine(Root, "home");
        public string ClaudeEnded => Path.Combine(Work, "claude-ended");

        public string WriteStandIn(string script)
        {
            var bin = Directory.CreateDirectory(Path.Combine(Root, "bin")).FullName;
            var path = Path.Combine(bin, "claude-stand-in");
            File.WriteAllText(path, script);
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(bin, (UnixFileMode)0b111_101_101);
            return path;
        }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
