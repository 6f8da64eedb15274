using LocalClaude.Terminal;

namespace LocalClaude.E2E.Tests.Launcher;

/// <summary>
/// The tests' way into the library's <see cref="TmuxSession"/>: a shell command in a pane whose output is also logged
/// raw (which keeps lines a full-screen program later redraws over), and waits that fail the test with the screen.
/// </summary>
internal static class TestTmux
{
    /// <summary>Starts <paramref name="shellCommand"/> (exec'ed by /bin/sh) in <paramref name="scratch"/>, logging to <c>scratch/pane.log</c>.</summary>
    public static Task<TmuxSession> StartAsync(string shellCommand, string scratch, CancellationToken ct, int columns = 120, int rows = 40) =>
        TmuxSession.StartAsync(new TmuxSessionOptions
        {
            Command = ["/bin/sh", "-c", "exec " + shellCommand],
            WorkingDirectory = scratch,
            Columns = columns,
            Rows = rows,
            OutputLog = Path.Combine(scratch, "pane.log"),
        }, ct);

    /// <summary>Waits until <paramref name="match"/> holds; fails the test with the screen and the output when the program exits or time runs out.</summary>
    public static async Task<string> ExpectScreenAsync(this TmuxSession tmux, string what, Func<string, bool> match, TimeSpan timeout, CancellationToken ct)
    {
        var wait = await tmux.WaitForScreenAsync(match, timeout, ct);
        if (wait.Matched) return wait.Screen;
        Assert.Fail(wait.ExitStatus is { } status
            ? $"the program exited ({status}) while waiting for {what}; its output:\n{Tail(tmux.Output())}\n--- screen ---\n{wait.Screen}"
            : $"waited {timeout.TotalSeconds:0} s for {what}; the screen:\n{wait.Screen}\n--- output ---\n{Tail(tmux.Output())}");
        return wait.Screen;
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;
}
