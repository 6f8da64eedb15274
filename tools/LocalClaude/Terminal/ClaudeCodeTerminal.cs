using System.Diagnostics;

namespace LocalClaude.Terminal;

/// <summary>
/// Claude Code's interactive UI in a <see cref="TmuxSession"/>, driven by keys and read by screen captures: the
/// first-run screens, typing a turn, waiting for its end, <c>/exit</c>. The one driver for E2E and the recorder.
/// The caller owns (and disposes) the session.
/// </summary>
public sealed class ClaudeCodeTerminal(TmuxSession tmux)
{
    /// <summary>90 s, not 60: a busy machine takes long to draw the first screens, and a slow start is no failure.</summary>
    public static readonly TimeSpan FirstRunTimeout = TimeSpan.FromSeconds(90);
    /// <summary>More answering steps than this means one screen keeps coming back: give up rather than loop.</summary>
    private const int MaxAnswers = 20;
    private readonly List<string> _screens = [];

    public TmuxSession Session => tmux;

    /// <summary>Every screen this driver answered or saw at a turn's end, oldest first (for the run's log).</summary>
    public IReadOnlyList<string> Screens => _screens;

    /// <summary>
    /// Answers the first-run screens (theme, security notes, trusting the work dir, the API-key question) until the
    /// input box shows; also after a turn, for a dialog that opened then. Returns the screens answered; throws when
    /// Claude Code exits or the input box does not come within <paramref name="timeout"/>.
    /// </summary>
    public async Task<IReadOnlyList<ClaudeCodeScreen>> PassFirstRunScreensAsync(TimeSpan timeout, CancellationToken ct)
    {
        var answered = new List<ClaudeCodeScreen>();
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = await tmux.CaptureAsync(ct);
            var kind = ClaudeCodeScreens.Classify(screen);
            if (kind == ClaudeCodeScreen.Prompt) return answered;
            if (ClaudeCodeScreens.Answer(kind, screen) is { } keys && answered.Count < MaxAnswers)
            {
                _screens.Add(screen);
                answered.Add(kind);
                await WaitForKeyByKeyInputAsync(ct);
                await tmux.SendKeysAsync(ct, keys);
                // Wait until the next step differs (E2E's wait for the next screen, or a list's choice moved): a busy
                // machine can take seconds to redraw, and an Enter sent twice lands on the next screen ("No, exit").
                // When nothing changes in 30 s the same step goes again, as for a key that got lost.
                // A capture mid-redraw reads as Unknown: that is no next step, and a Down sent again on it goes too far.
                await tmux.WaitForScreenAsync(s => ClaudeCodeScreens.Classify(s) is var next && next != ClaudeCodeScreen.Unknown
                    && (next != kind || ClaudeCodeScreens.Answer(kind, s)?.SequenceEqual(keys) != true), TimeSpan.FromSeconds(30), ct);
                continue;
            }
            // Throw at once on exit (the recorder's check): E2E's loop waited out the timeout on a dead pane.
            if (await tmux.ExitStatusAsync(ct) is { } status)
                throw new InvalidOperationException($"Claude Code exited ({status}) before its input box appeared; screens answered: {string.Join(", ", answered)}; last screen:\n{await tmux.CaptureAsync(ct)}");
            await Task.Delay(250, ct);
        }
        throw new InvalidOperationException($"Claude Code's input box did not appear within {timeout.TotalSeconds:0} s; screens answered: {string.Join(", ", answered)}; last screen:\n{screen}");
    }

    /// <summary>
    /// Waits (up to 10 s) until Claude Code reads the terminal key by key. Between two dialogs it briefly leaves the
    /// terminal in line mode: a Down sent then was echoed as ^[OB and reached it as a lone Esc, which answers the trust
    /// dialog with "No, exit" (seen under load). When it cannot be told, the key goes anyway.
    /// </summary>
    private async Task WaitForKeyByKeyInputAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10) && await tmux.IsInputRawAsync(ct) == false)
            await Task.Delay(100, ct);
    }

    /// <summary>
    /// Types <paramref name="prompt"/> into the input box and submits it. Keys typed fast look like a paste to Claude
    /// Code, which then takes an Enter sent at once as part of the text, and a slash command opens a menu while typed:
    /// wait for the echo and a moment, then press Enter until the input box no longer holds the text (E2E's retry).
    /// </summary>
    public async Task SubmitAsync(string prompt, CancellationToken ct)
    {
        await tmux.TypeAsync(prompt, ct);
        var echo = ClaudeCodeScreens.Echo(prompt);
        var typed = await tmux.WaitForScreenAsync(s => ClaudeCodeScreens.InputText(s)?.Contains(echo, StringComparison.Ordinal) == true, TimeSpan.FromSeconds(15), ct);
        if (!typed.Matched) throw new InvalidOperationException($"the typed prompt did not appear in the input box; screen:\n{typed.Screen}");
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            await tmux.SendKeysAsync(ct, "Enter");
            var sent = await tmux.WaitForScreenAsync(
                s => ClaudeCodeScreens.IsWorking(s) || ClaudeCodeScreens.InputText(s)?.Contains(echo, StringComparison.Ordinal) != true, TimeSpan.FromSeconds(5), ct);
            if (sent.Matched || sent.ExitStatus is not null) return;
        }
        throw new InvalidOperationException($"Enter did not submit the prompt; screen:\n{await tmux.CaptureAsync(ct)}");
    }

    /// <summary>
    /// Waits until the turn for <paramref name="prompt"/> is over: an answer (a line starting with <c>●</c>) is below
    /// the prompt, nothing runs, the input box shows, and the screen stays the same for a second.
    /// </summary>
    public async Task<ScreenWait> WaitForTurnEndAsync(string prompt, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var previous = "";
        var screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = await tmux.CaptureAsync(ct);
            var idle = ClaudeCodeScreens.HasAnswer(screen, prompt) && !ClaudeCodeScreens.IsWorking(screen)
                && ClaudeCodeScreens.Classify(screen) == ClaudeCodeScreen.Prompt;
            if (idle && screen == previous) return Seen(new ScreenWait(true, screen, null));
            if (await tmux.ExitStatusAsync(ct) is { } status) return Seen(new ScreenWait(false, await tmux.CaptureAsync(ct), status));
            previous = idle ? screen : "";
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
        return Seen(new ScreenWait(false, screen, null));
    }

    /// <summary>
    /// Types <c>/exit</c> into the idle input box and waits for Claude Code to end; returns its exit status, or null when
    /// it still runs (disposing the session ends it then).
    /// </summary>
    public async Task<int?> ExitAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (await tmux.ExitStatusAsync(ct) is { } already) return already;
        await SubmitAsync("/exit", ct);
        var ended = await tmux.WaitForScreenAsync(_ => false, timeout, ct);
        _screens.Add(ended.Screen);
        return ended.ExitStatus;
    }

    /// <summary>The screen now, kept in <see cref="Screens"/> too.</summary>
    public async Task<string> CaptureAsync(CancellationToken ct)
    {
        var screen = await tmux.CaptureAsync(ct);
        _screens.Add(screen);
        return screen;
    }

    private ScreenWait Seen(ScreenWait wait)
    {
        _screens.Add(wait.Screen);
        return wait;
    }
}
