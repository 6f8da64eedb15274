using System.Diagnostics;
using System.Globalization;
using LocalClaude.Infrastructure;
using LocalClaude.Sandbox;

namespace LocalClaude.Agents;

/// <summary>
/// Claude Code's interactive UI in the sandbox, in a detached tmux session on a private server socket
/// (<c>tmux -L NAME</c>, so the user's own tmux is never touched). Driven by keys and read by screen captures.
/// Disposing kills the tmux server and the sandbox with everything in it.
/// </summary>
public sealed class InteractiveClaudeCode : IAsyncDisposable
{
    private static readonly TimeSpan TmuxTimeout = TimeSpan.FromSeconds(15);
    private const string Target = "main";

    private readonly SandboxSession _session;
    private readonly string _socket;
    private string? _socketPath;
    private int? _serverPid;

    private InteractiveClaudeCode(SandboxSession session, string socket)
    {
        _session = session;
        _socket = socket;
    }

    /// <summary>The private tmux server's socket name (<c>tmux -L</c>).</summary>
    public string Socket => _socket;

    /// <summary>Starts <c>claude --allowedTools …</c> (no <c>-p</c>) in a fresh sandbox under tmux, <paramref name="columns"/>×<paramref name="rows"/>.</summary>
    public static async Task<InteractiveClaudeCode> StartAsync(ClaudeCodeRunner runner, ClaudeCodeInvocation invocation, CancellationToken ct,
        int columns = 140, int rows = 45)
    {
        if (RunEnvironment.Which("tmux") is null) throw new InvalidOperationException("tmux is not installed (apt-get install -y tmux)");
        var session = await runner.StartSandboxAsync(invocation, interactive: true, ct);
        var tmux = new InteractiveClaudeCode(session, $"localclaude-e2e-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        try
        {
            var shell = session.BuildShellCommand(runner.BinaryInside, ["--allowedTools", string.Join(",", invocation.AllowedTools)]);
            var inv = CultureInfo.InvariantCulture;
            await tmux.TmuxAsync(["new-session", "-d", "-s", Target, "-x", columns.ToString(inv), "-y", rows.ToString(inv), shell], ct);
            // Keep the last screen readable after Claude Code exits.
            await tmux.TmuxAsync(["set-option", "-t", Target, "remain-on-exit", "on"], ct);
            // tmux leaves its socket file behind after kill-server, and without the socket kill-server cannot reach the
            // server: remember both, so Dispose can remove the file and, if need be, stop the server by its pid.
            var facts = (await tmux.TmuxAsync(["display-message", "-p", "#{socket_path}\t#{pid}"], ct)).StandardOutput.Trim().Split('\t');
            tmux._socketPath = facts[0];
            tmux._serverPid = facts.Length > 1 && int.TryParse(facts[1], NumberStyles.None, inv, out var pid) ? pid : null;
            return tmux;
        }
        catch
        {
            await tmux.DisposeAsync();
            throw;
        }
    }

    /// <summary>The visible screen as plain text.</summary>
    public async Task<string> CaptureAsync(CancellationToken ct) =>
        (await TmuxAsync(["capture-pane", "-p", "-t", Target], ct)).StandardOutput;

    /// <summary>Key names as tmux knows them (<c>Enter</c>, <c>Down</c>, <c>C-c</c>).</summary>
    public Task SendKeysAsync(CancellationToken ct, params string[] keys) => TmuxAsync(["send-keys", "-t", Target, .. keys], ct);

    /// <summary>Types text literally.</summary>
    public Task TypeAsync(string text, CancellationToken ct) => TmuxAsync(["send-keys", "-t", Target, "-l", text], ct);

    public async Task<bool> HasExitedAsync(CancellationToken ct)
    {
        var result = await TmuxAsync(["display-message", "-p", "-t", Target, "#{pane_dead}"], ct, throwOnFailure: false);
        return !result.Succeeded || result.StandardOutput.Trim() == "1";
    }

    /// <summary>Polls the screen until <paramref name="match"/> holds; returns whether it did and the last screen.</summary>
    public async Task<(bool Matched, string Screen)> WaitForScreenAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = await CaptureAsync(ct);
            if (match(screen)) return (true, screen);
            if (await HasExitedAsync(ct)) return (match(screen), screen);
            await Task.Delay(250, ct);
        }
        return (false, screen);
    }

    /// <summary>
    /// Answers the first-run screens of a fresh HOME (text style, security notes, trusting the work dir) until the
    /// empty input box shows. Returns the screens seen, for the test log; throws when the input box never comes.
    /// </summary>
    public async Task<IReadOnlyList<string>> PassFirstRunScreensAsync(TimeSpan timeout, CancellationToken ct)
    {
        var seen = new List<string>();
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < timeout)
        {
            last = await CaptureAsync(ct);
            var screen = ClaudeCodeScreens.Classify(last);
            if (screen == ClaudeCodeScreen.Prompt) return seen;
            if (ClaudeCodeScreens.Answer(screen) is { } keys)
            {
                seen.Add(screen.ToString());
                await SendKeysAsync(ct, keys);
                // Let the next screen draw before reading again, so one screen is not answered twice.
                // A busy machine can take seconds to redraw; answering the same screen twice would send keys to the next one.
                await WaitForScreenAsync(s => ClaudeCodeScreens.Classify(s) != screen, TimeSpan.FromSeconds(30), ct);
                continue;
            }
            if (await HasExitedAsync(ct)) break;
            await Task.Delay(250, ct);
        }
        throw new InvalidOperationException($"Claude Code's input box did not appear within {timeout.TotalSeconds:0} s; screens answered: {string.Join(", ", seen)}; last screen:\n{last}");
    }

    /// <summary>
    /// Types <paramref name="prompt"/> into the input box and submits it. Keys typed fast look like a paste to
    /// Claude Code, which then takes an Enter sent at once as part of the text: wait for the echo, then press
    /// Enter until the input box empties.
    /// </summary>
    public async Task SubmitAsync(string prompt, CancellationToken ct)
    {
        await TypeAsync(prompt, ct);
        var echo = prompt[..Math.Min(30, prompt.Length)];
        var (echoed, screen) = await WaitForScreenAsync(s => s.Contains(echo, StringComparison.Ordinal), TimeSpan.FromSeconds(15), ct);
        if (!echoed) throw new InvalidOperationException($"the typed prompt did not appear in the input box; screen:\n{screen}");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            await SendKeysAsync(ct, "Enter");
            var (submitted, _) = await WaitForScreenAsync(
                s => ClaudeCodeScreens.Classify(s) == ClaudeCodeScreen.Prompt || ClaudeCodeScreens.IsWorking(s), TimeSpan.FromSeconds(5), ct);
            if (submitted) return;
        }
        throw new InvalidOperationException($"Enter did not submit the prompt; screen:\n{await CaptureAsync(ct)}");
    }

    /// <summary>
    /// Waits until the submitted turn is over: an answer (<c>●</c>) is on screen, nothing is running, the input box is
    /// empty, and the screen stays the same for a second. Returns whether it ended in time and the last screen.
    /// </summary>
    public async Task<(bool Ended, string Screen)> WaitForTurnEndAsync(TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var previous = "";
        while (clock.Elapsed < timeout)
        {
            var screen = await CaptureAsync(ct);
            var idle = screen.Contains('●') && !ClaudeCodeScreens.IsWorking(screen) && ClaudeCodeScreens.Classify(screen) == ClaudeCodeScreen.Prompt;
            if (idle && screen == previous) return (true, screen);
            if (await HasExitedAsync(ct)) return (false, screen);
            previous = idle ? screen : "";
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        return (false, await CaptureAsync(ct));
    }

    /// <summary>Kills our tmux server by pid when kill-server did not reach it (only if that pid is still a tmux).</summary>
    private static async Task StopServerAsync(int pid)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            Process server;
            try { server = Process.GetProcessById(pid); }
            catch (ArgumentException) { return; }
            using (server)
            {
                if (server.HasExited || server.ProcessName != "tmux: server" && server.ProcessName != "tmux") return;
                if (attempt == 5) server.Kill(entireProcessTree: true);
            }
            await Task.Delay(100);
        }
    }

    private Task<CommandResult> TmuxAsync(IReadOnlyList<string> arguments, CancellationToken ct, bool throwOnFailure = true) =>
        ExternalCommand.RunAsync("tmux", ["-L", _socket, .. arguments],
            new CommandOptions { Timeout = TmuxTimeout, ThrowOnFailure = throwOnFailure }, ct);

    public async ValueTask DisposeAsync()
    {
        // Never the caller's token: the session must go even when the run was cancelled.
        await TmuxAsync(["kill-server"], CancellationToken.None, throwOnFailure: false);
        if (_serverPid is { } pid) await StopServerAsync(pid);
        await _session.DisposeAsync();
        if (_socketPath is { Length: > 0 } && File.Exists(_socketPath)) File.Delete(_socketPath);
    }
}
