using System.Diagnostics;
using LocalClaude.Infrastructure;

namespace LocalClaude.Traffic;

/// <summary>
/// One detached tmux session on a private server socket (<c>tmux -S /tmp/localclaude-tmux-…</c>), so it never touches
/// the user's own tmux sessions; disposing kills that private server, with everything started in it, and removes the socket.
/// </summary>
public sealed class TmuxSession : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);
    private readonly string _socket;
    private const string SessionName = "main";

    private TmuxSession(string socket) => _socket = socket;

    public string Socket => _socket;

    /// <summary>Starts <paramref name="executable"/> directly (no shell) in a new session of <paramref name="columns"/>×<paramref name="rows"/>.</summary>
    public static async Task<TmuxSession> StartAsync(string executable, IReadOnlyList<string> arguments, string workingDirectory,
        CancellationToken cancellationToken, int columns = 160, int rows = 50)
    {
        var session = new TmuxSession(Path.Combine(Path.GetTempPath(), $"localclaude-tmux-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]));
        await session.TmuxAsync(["new-session", "-d", "-s", SessionName, "-x", columns.ToString(), "-y", rows.ToString(),
            "-c", workingDirectory, executable, .. arguments], cancellationToken);
        // Keep the pane after the program exits, so its last screen can still be read.
        await session.TmuxAsync(["set-option", "-t", SessionName, "remain-on-exit", "on"], cancellationToken);
        return session;
    }

    /// <summary>The visible screen as plain text.</summary>
    public async Task<string> CaptureAsync(CancellationToken cancellationToken) =>
        (await TmuxAsync(["capture-pane", "-p", "-t", SessionName], cancellationToken)).StandardOutput;

    /// <summary>Sends key names (<c>Enter</c>, <c>Down</c>, <c>C-c</c>) as tmux understands them.</summary>
    public Task SendKeysAsync(CancellationToken cancellationToken, params string[] keys) =>
        TmuxAsync(["send-keys", "-t", SessionName, .. keys], cancellationToken);

    /// <summary>Types text literally (no key-name interpretation).</summary>
    public Task TypeAsync(string text, CancellationToken cancellationToken) =>
        TmuxAsync(["send-keys", "-t", SessionName, "-l", text], cancellationToken);

    /// <summary>True when the program in the pane has exited.</summary>
    public async Task<bool> HasExitedAsync(CancellationToken cancellationToken)
    {
        var result = await TmuxAsync(["display-message", "-p", "-t", SessionName, "#{pane_dead}"], cancellationToken, throwOnFailure: false);
        return !result.Succeeded || result.StandardOutput.Trim() == "1";
    }

    /// <summary>Polls the screen until <paramref name="match"/> says yes; returns the last screen either way.</summary>
    public async Task<(bool Matched, string Screen)> WaitForScreenAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = await CaptureAsync(cancellationToken);
            if (match(screen)) return (true, screen);
            await Task.Delay(250, cancellationToken);
        }
        return (false, screen);
    }

    public async ValueTask DisposeAsync()
    {
        // Not the caller's token: the session must go even when the run was cancelled.
        await TmuxAsync(["kill-server"], CancellationToken.None, throwOnFailure: false);
        try { File.Delete(_socket); }
        catch (IOException) { /* a stale socket file is harmless */ }
    }

    private Task<CommandResult> TmuxAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool throwOnFailure = true) =>
        ExternalCommand.RunAsync("tmux", ["-S", _socket, .. arguments],
            new CommandOptions { Timeout = CommandTimeout, ThrowOnFailure = throwOnFailure }, cancellationToken);
}
