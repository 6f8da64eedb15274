using System.Diagnostics;
using System.Globalization;
using LocalClaude.Infrastructure;

namespace LocalClaude.Terminal;

/// <summary>What to run in a <see cref="TmuxSession"/> and how.</summary>
public sealed record TmuxSessionOptions
{
    /// <summary>The program and its arguments, run without a shell (first element: the executable).</summary>
    public required IReadOnlyList<string> Command { get; init; }
    public required string WorkingDirectory { get; init; }
    public int Columns { get; init; } = 120;
    public int Rows { get; init; } = 40;
    /// <summary>Set (or, with a null value, unset) for the program on top of this process's environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    /// <summary>Where everything the pane prints is appended raw (pipe-pane), including lines a full-screen program later draws over.</summary>
    public string? OutputLog { get; init; }
}

/// <summary>
/// One detached tmux session on a private server (its own socket in a 0700 folder), so the user's own tmux is never
/// touched. The pane stays after its program exits, so its last screen and exit status can be read. Disposing kills
/// that server with everything started in it, makes sure it is gone, and removes the socket.
/// </summary>
public sealed class TmuxSession : IAsyncDisposable
{
    // 20 s, not 15: tmux calls stall on a busy shared machine, and none of them should ever take that long otherwise.
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private const string Target = "main";

    private readonly string _folder;
    private int? _serverPid;
    private bool _disposed;

    private TmuxSession(string folder, string? outputLog)
    {
        _folder = folder;
        OutputLog = outputLog;
    }

    /// <summary>
    /// The server's socket (<c>tmux -S</c>). An explicit path, not <c>-L NAME</c>: it does not depend on TMUX_TMPDIR and
    /// the socket file tmux leaves behind after kill-server can be removed for sure.
    /// </summary>
    public string Socket => Path.Combine(_folder, "socket");

    /// <summary>The raw pane output file, when <see cref="TmuxSessionOptions.OutputLog"/> was given.</summary>
    public string? OutputLog { get; }

    /// <summary>Starts <paramref name="options"/>' command in a new private tmux server.</summary>
    public static async Task<TmuxSession> StartAsync(TmuxSessionOptions options, CancellationToken cancellationToken)
    {
        if (options.Command.Count == 0) throw new ArgumentException("tmux session: no command to run");
        if (RunEnvironment.Which("tmux") is null) throw new InvalidOperationException("tmux is not installed (apt-get install -y tmux)");
        var folder = Path.Combine(Path.GetTempPath(), "localclaude-tmux-" + Guid.NewGuid().ToString("N")[..12]);
        // A unix socket path must fit in 108 bytes.
        if (folder.Length > 90) throw new InvalidOperationException($"the temp folder '{Path.GetTempPath()}' is too long for a tmux socket path; set TMPDIR to a shorter one");
        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var session = new TmuxSession(folder, options.OutputLog);
        try
        {
            var inv = CultureInfo.InvariantCulture;
            // env(1) gives the program exactly the environment asked for, unset variables included (new-session -e cannot unset).
            IReadOnlyList<string> command = options.Environment.Count == 0 ? options.Command :
            [
                "env",
                .. options.Environment.Where(kv => kv.Value is null).SelectMany(kv => new[] { "-u", kv.Key }),
                .. options.Environment.Where(kv => kv.Value is not null).Select(kv => $"{kv.Key}={kv.Value}"),
                .. options.Command,
            ];
            string? go = null;
            if (options.OutputLog is not null)
            {
                // The program waits for a go-file until pipe-pane is attached, so not even its first line escapes the log.
                go = Path.Combine(folder, "go");
                command = ["/bin/sh", "-c", "while [ ! -e \"$0\" ]; do sleep 0.05; done; exec \"$@\"", go, .. command];
            }
            await session.TmuxAsync(["new-session", "-d", "-s", Target, "-x", options.Columns.ToString(inv), "-y", options.Rows.ToString(inv),
                "-c", options.WorkingDirectory, .. command], cancellationToken);
            var facts = (await session.TmuxAsync(["display-message", "-p", "#{pid}"], cancellationToken)).StandardOutput.Trim();
            session._serverPid = int.TryParse(facts, NumberStyles.None, inv, out var pid) ? pid : null;
            await session.TmuxAsync(["set-option", "-t", Target, "remain-on-exit", "on"], cancellationToken);
            if (options.OutputLog is not null)
            {
                await session.TmuxAsync(["pipe-pane", "-t", Target, "-o", $"cat >> {ExternalCommand.Quote(options.OutputLog)}"], cancellationToken);
                await File.WriteAllTextAsync(go!, "", cancellationToken);
            }
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>The visible screen as plain text.</summary>
    public async Task<string> CaptureAsync(CancellationToken cancellationToken) =>
        (await TmuxAsync(["capture-pane", "-p", "-t", Target], cancellationToken)).StandardOutput;

    /// <summary>What the pane printed so far (raw, with terminal escapes); empty without an output log.</summary>
    public string Output()
    {
        if (OutputLog is null || !File.Exists(OutputLog)) return "";
        using var stream = new FileStream(OutputLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>Sends key names as tmux knows them (<c>Enter</c>, <c>Down</c>, <c>C-c</c>).</summary>
    public Task SendKeysAsync(CancellationToken cancellationToken, params string[] keys) =>
        TmuxAsync(["send-keys", "-t", Target, .. keys], cancellationToken);

    /// <summary>Types text literally (no key-name interpretation).</summary>
    public Task TypeAsync(string text, CancellationToken cancellationToken) =>
        TmuxAsync(["send-keys", "-t", Target, "-l", text], cancellationToken);

    /// <summary>The pane program's exit status, or null while it runs.</summary>
    public async Task<int?> ExitStatusAsync(CancellationToken cancellationToken)
    {
        var result = await TmuxAsync(["display-message", "-p", "-t", Target, "#{pane_dead} #{pane_dead_status}"], cancellationToken, throwOnFailure: false);
        return result.Succeeded && result.StandardOutput.Trim().Split(' ') is ["1", var code]
            && int.TryParse(code, CultureInfo.InvariantCulture, out var status) ? status : null;
    }

    /// <summary>True when the pane's program has ended, or the server is gone (then nothing runs there either).</summary>
    public async Task<bool> HasExitedAsync(CancellationToken cancellationToken)
    {
        var result = await TmuxAsync(["display-message", "-p", "-t", Target, "#{pane_dead}"], cancellationToken, throwOnFailure: false);
        return !result.Succeeded || result.StandardOutput.Trim() == "1";
    }

    /// <summary>The pid of the pane's program (with an output log: the program itself, which the waiting shell exec'ed).</summary>
    /// <summary>
    /// Whether the program in the pane reads its terminal key by key (<c>-icanon</c>, as Claude Code does while a dialog
    /// or its input box waits); null when it cannot be told (no tty, no stty).
    /// </summary>
    public async Task<bool?> IsInputRawAsync(CancellationToken cancellationToken)
    {
        var tty = (await TmuxAsync(["display-message", "-p", "-t", Target, "#{pane_tty}"], cancellationToken, throwOnFailure: false)).StandardOutput.Trim();
        if (!tty.StartsWith("/dev/", StringComparison.Ordinal)) return null;
        var result = await ExternalCommand.RunAsync("stty", ["-F", tty, "-a"],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(5), ThrowOnFailure = false }, cancellationToken);
        if (!result.Succeeded) return null;
        return result.StandardOutput.Split([' ', ';', '\n'], StringSplitOptions.RemoveEmptyEntries).Contains("-icanon");
    }

    public async Task<int> PanePidAsync(CancellationToken cancellationToken) =>
        int.Parse((await TmuxAsync(["display-message", "-p", "-t", Target, "#{pane_pid}"], cancellationToken)).StandardOutput.Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Polls the screen until <paramref name="match"/> holds, the program exits, or <paramref name="timeout"/> passes.
    /// Returns whether it matched and the last screen.
    /// </summary>
    public async Task<ScreenWait> WaitForScreenAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (true)
        {
            screen = await CaptureAsync(cancellationToken);
            if (match(screen)) return new ScreenWait(true, screen, null);
            // Stop early on exit (the recorder's check; E2E's loop lacked it and waited out the timeout on a dead pane).
            if (await ExitStatusAsync(cancellationToken) is { } status)
            {
                screen = await CaptureAsync(cancellationToken);
                return new ScreenWait(match(screen), screen, status);
            }
            if (clock.Elapsed >= timeout) return new ScreenWait(false, screen, null);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="text"/> is on the screen.</summary>
    public Task<ScreenWait> WaitForTextAsync(string text, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForScreenAsync(s => s.Contains(text, StringComparison.Ordinal), timeout, cancellationToken);

    /// <summary>
    /// Kills the private server and everything in it, and makes sure it is gone: by its pid when kill-server did not
    /// reach it. Throws when the server still runs afterwards. Never takes the caller's token: the session must go
    /// even when the run was cancelled.
    /// </summary>
    public async Task KillAsync()
    {
        await TmuxAsync(["kill-server"], CancellationToken.None, throwOnFailure: false);
        if (_serverPid is { } pid && !await ServerGoneAsync(pid))
            throw new InvalidOperationException($"the private tmux server (pid {pid}, socket {Socket}) is still running after kill-server and SIGKILL");
        // tmux leaves its socket file behind after kill-server.
        try { Directory.Delete(_folder, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }

    /// <summary>Waits for our server's pid to end, killing it after half a second (only while that pid is still a tmux).</summary>
    private static async Task<bool> ServerGoneAsync(int pid)
    {
        for (var attempt = 0; attempt < 40; attempt++)
        {
            Process server;
            try { server = Process.GetProcessById(pid); }
            catch (ArgumentException) { return true; }
            using (server)
            {
                try
                {
                    if (server.HasExited || !server.ProcessName.StartsWith("tmux", StringComparison.Ordinal)) return true;
                    if (attempt == 5) server.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException) { return true; }
            }
            await Task.Delay(100);
        }
        return false;
    }

    private Task<CommandResult> TmuxAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool throwOnFailure = true) =>
        ExternalCommand.RunAsync("tmux", ["-S", Socket, .. arguments],
            new CommandOptions { Timeout = CommandTimeout, ThrowOnFailure = throwOnFailure }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await KillAsync();
    }
}

/// <summary>The end of a wait on the screen: whether it matched, the last screen, and the exit status when the program ended.</summary>
public sealed record ScreenWait(bool Matched, string Screen, int? ExitStatus);
