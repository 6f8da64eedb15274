using System.Diagnostics;
using System.Globalization;
using LocalClaude.Infrastructure;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>
/// A tmux server of the test's own (<c>tmux -L SOCKET</c>), so the user's sessions are never touched. Everything the
/// pane prints is also appended raw to <see cref="OutputLog"/> (pipe-pane), which keeps lines a full-screen program
/// later redraws over. The pane stays after its program exits, so its exit status can be read.
/// </summary>
internal sealed class PrivateTmux : IAsyncDisposable
{
    private const string Session = "launch";
    private readonly string _socket = "lc-launch-" + Guid.NewGuid().ToString("N")[..10];

    private PrivateTmux(string outputLog) => OutputLog = outputLog;

    public string OutputLog { get; }

    /// <summary>
    /// Starts <paramref name="shellCommand"/> in a <paramref name="columns"/>x<paramref name="rows"/> pane. The command
    /// waits for a go-file until pipe-pane is attached, so not even its first line escapes the log.
    /// </summary>
    public static async Task<PrivateTmux> StartAsync(string shellCommand, string scratch, CancellationToken ct, int columns = 120, int rows = 40)
    {
        var tmux = new PrivateTmux(Path.Combine(scratch, "pane.log"));
        var go = Path.Combine(scratch, "pane.go");
        var wrapped = $"while [ ! -e {ExternalCommand.Quote(go)} ]; do sleep 0.05; done; exec {shellCommand}";
        await tmux.RunAsync(["new-session", "-d", "-s", Session, "-x", columns.ToString(CultureInfo.InvariantCulture),
            "-y", rows.ToString(CultureInfo.InvariantCulture), "/bin/sh", "-c", wrapped], ct);
        await tmux.RunAsync(["set-option", "-t", Session, "remain-on-exit", "on"], ct);
        await tmux.RunAsync(["pipe-pane", "-t", Session, "-o", $"cat >> {ExternalCommand.Quote(tmux.OutputLog)}"], ct);
        await File.WriteAllTextAsync(go, "", ct);
        return tmux;
    }

    public async Task<string> ScreenAsync(CancellationToken ct) =>
        (await RunAsync(["capture-pane", "-p", "-t", Session], ct)).StandardOutput;

    /// <summary>What the pane printed so far (raw, with terminal escapes).</summary>
    public string Output() => File.Exists(OutputLog) ? File.ReadAllText(OutputLog) : "";

    public Task KeysAsync(CancellationToken ct, params string[] keys) => RunAsync(["send-keys", "-t", Session, .. keys], ct);

    public Task TypeAsync(string text, CancellationToken ct) => RunAsync(["send-keys", "-t", Session, "-l", text], ct);

    /// <summary>Polls the visible screen until <paramref name="match"/> holds; fails with the last screen after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForScreenAsync(string what, Func<string, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = await ScreenAsync(ct);
            if (match(screen)) return screen;
            if (await ExitStatusAsync(ct) is { } status)
                Assert.Fail($"the launcher exited ({status}) while waiting for {what}; its output:\n{Tail(Output())}\n--- screen ---\n{screen}");
            await Task.Delay(250, ct);
        }
        Assert.Fail($"waited {timeout.TotalSeconds:0} s for {what}; the screen:\n{screen}\n--- output ---\n{Tail(Output())}");
        return screen;
    }

    /// <summary>The exit status of the pane's program, or null while it runs.</summary>
    public async Task<int?> ExitStatusAsync(CancellationToken ct)
    {
        var result = await RunAsync(["display-message", "-p", "-t", Session, "#{pane_dead} #{pane_dead_status}"], ct, throwOnFailure: false);
        var fields = result.StandardOutput.Trim().Split(' ');
        return result.Succeeded && fields is ["1", var code] && int.TryParse(code, CultureInfo.InvariantCulture, out var status) ? status : null;
    }

    /// <summary>The pane's program's pid (the launcher: the pane runs it through exec).</summary>
    public async Task<int> PanePidAsync(CancellationToken ct) =>
        int.Parse((await RunAsync(["display-message", "-p", "-t", Session, "#{pane_pid}"], ct)).StandardOutput.Trim(), CultureInfo.InvariantCulture);

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    private Task<CommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken ct, bool throwOnFailure = true) =>
        ExternalCommand.RunAsync("tmux", ["-L", _socket, .. arguments],
            new CommandOptions { Timeout = TimeSpan.FromSeconds(20), ThrowOnFailure = throwOnFailure }, ct);

    /// <summary>Kills the private tmux server and with it the pane's program, if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        await RunAsync(["kill-server"], CancellationToken.None, throwOnFailure: false);
        // tmux leaves its socket file behind: TMUX_TMPDIR (default /tmp)/tmux-UID/SOCKET.
        var uid = (await ExternalCommand.RunAsync("id", ["-u"], new CommandOptions { Timeout = TimeSpan.FromSeconds(10) })).StandardOutput.Trim();
        var folder = Environment.GetEnvironmentVariable("TMUX_TMPDIR") is { Length: > 0 } tmp ? tmp : "/tmp";
        try { File.Delete(Path.Combine(folder, "tmux-" + uid, _socket)); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
