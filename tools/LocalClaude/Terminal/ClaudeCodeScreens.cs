using System.Text.RegularExpressions;

namespace LocalClaude.Terminal;

/// <summary>What Claude Code 2.1.328's interactive UI shows, read from a tmux capture (fixtures/screens holds real ones).</summary>
public enum ClaudeCodeScreen
{
    Unknown,
    /// <summary>First run: "Choose the text style…"; Enter keeps the default.</summary>
    Theme,
    /// <summary>First run: "Security notes … Press Enter to continue".</summary>
    SecurityNotes,
    /// <summary>"Is this a project you created or one you trust?"; the highlighted default ("No, exit") exits, so move to "Yes" first.</summary>
    TrustFolder,
    /// <summary>"Detected a custom API key in your environment … Do you want to use this API key?"; the default is "No (recommended)".</summary>
    ApiKey,
    /// <summary>The input box (a rule, then the <c>❯</c> line, possibly holding typed text or a hint): ready for the next turn.</summary>
    Prompt,
}

public static partial class ClaudeCodeScreens
{
    public static ClaudeCodeScreen Classify(string screen)
    {
        if (screen.Contains("Choose the text style", StringComparison.Ordinal)) return ClaudeCodeScreen.Theme;
        if (screen.Contains("Security notes", StringComparison.Ordinal) && screen.Contains("Press Enter to continue", StringComparison.Ordinal))
            return ClaudeCodeScreen.SecurityNotes;
        if (screen.Contains("trust this folder", StringComparison.OrdinalIgnoreCase) || screen.Contains("trust the files", StringComparison.OrdinalIgnoreCase))
            return ClaudeCodeScreen.TrustFolder;
        if (screen.Contains("Detected a custom API key", StringComparison.Ordinal) && screen.Contains("use this API key", StringComparison.Ordinal))
            return ClaudeCodeScreen.ApiKey;
        if (InputBox().IsMatch(screen) || EmptyPromptLine().IsMatch(screen)) return ClaudeCodeScreen.Prompt;
        return ClaudeCodeScreen.Unknown;
    }

    /// <summary>A turn is running: the status line offers to interrupt it.</summary>
    public static bool IsWorking(string screen) => screen.Contains("esc to interrupt", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The next keys on the way past a first-run screen, judged by what is selected now; null for the other screens.
    /// A list is answered one step at a time (move, then confirm once the choice shows selected): Claude Code 2.1.328
    /// can redraw the trust question with its default selected again after a Down arrived (seen on a busy machine),
    /// and a blind "Down, Enter" then confirms "No, exit".
    /// </summary>
    public static string[]? Answer(ClaudeCodeScreen kind, string screen) => kind switch
    {
        ClaudeCodeScreen.Theme or ClaudeCodeScreen.SecurityNotes => ["Enter"],
        ClaudeCodeScreen.TrustFolder => Selected(screen, "Yes, I trust this folder") ? ["Enter"] : ["Down"],
        // Yes: the caller composed the environment, so a key in it is meant to be used.
        ClaudeCodeScreen.ApiKey => Selected(screen, "Yes") ? ["Enter"] : ["Up"],
        _ => null,
    };

    /// <summary>A selection list marks the chosen line with ❯.</summary>
    public static bool Selected(string screen, string option) =>
        screen.Split('\n').Any(l => l.TrimStart().StartsWith("❯ " + option, StringComparison.Ordinal));

    /// <summary>The text in the input box (empty when it is empty), or null when no input box shows.</summary>
    public static string? InputText(string screen)
    {
        var boxes = InputBox().Matches(screen);
        if (boxes.Count > 0)
        {
            var start = boxes[^1].Index + boxes[^1].Length;
            var end = screen.IndexOf('\n', start);
            return (end < 0 ? screen[start..] : screen[start..end]).Trim().Trim('│', '|').Trim();
        }
        return EmptyPromptLine().IsMatch(screen) ? "" : null;
    }

    /// <summary>
    /// An answer to <paramref name="prompt"/> is on screen: a line starting with <c>●</c> below the echoed prompt. Not any
    /// <c>●</c>: the status line right above the input box shows "● high · /effort" before anything was answered.
    /// </summary>
    public static bool HasAnswer(string screen, string prompt)
    {
        var echo = "❯ " + Echo(prompt);
        var lines = screen.Split('\n');
        var asked = Array.FindLastIndex(lines, l => l.StartsWith(echo, StringComparison.Ordinal));
        // The last echo: while the prompt still sits unsent in the input box, that line is the last and no answer follows it.
        return asked >= 0 && lines.Skip(asked + 1).Any(l => l.StartsWith("● ", StringComparison.Ordinal) && l[2..].Trim().Length > 0);
    }

    /// <summary>The part of a typed prompt to look for on screen: its first line, at most 30 characters (long lines wrap).</summary>
    public static string Echo(string prompt)
    {
        var first = prompt.Split('\n')[0].Trim();
        return first[..Math.Min(30, first.Length)];
    }

    // The input box: a line holding only the prompt glyph (a selection list shows "❯ text").
    [GeneratedRegex(@"^\s*[│|]?\s*[❯>][\s\u00a0]*[│|]?\s*$", RegexOptions.Multiline)]
    private static partial Regex EmptyPromptLine();

    // Or a horizontal rule directly above the ❯ line, which may hold typed text or a hint ("Resend your message to try
    // again"); a selection list also marks its choice with ❯, but never right under a rule.
    [GeneratedRegex(@"^─{10,}[ \t]*\r?\n[ \t]*❯", RegexOptions.Multiline)]
    private static partial Regex InputBox();
}
