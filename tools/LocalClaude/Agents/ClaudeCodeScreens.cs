using System.Text.RegularExpressions;

namespace LocalClaude.Agents;

/// <summary>What Claude Code 2.1.328's interactive UI shows, read from a tmux capture (used by the E2E driver and the recorder).</summary>
public enum ClaudeCodeScreen
{
    Unknown,
    /// <summary>First run: "Choose the text style…"; Enter keeps the default.</summary>
    Theme,
    /// <summary>First run: "Security notes … Press Enter to continue".</summary>
    SecurityNotes,
    /// <summary>"Is this a project you created or one you trust?"; the highlighted default ("No, exit") exits, so move to "Yes" first.</summary>
    TrustFolder,
    /// <summary>The input box (a rule, then the <c>❯</c> line, possibly holding a hint): ready for the next turn.</summary>
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
        if (InputBox().IsMatch(screen) || EmptyPromptLine().IsMatch(screen)) return ClaudeCodeScreen.Prompt;
        return ClaudeCodeScreen.Unknown;
    }

    /// <summary>A turn is running: the status line offers to interrupt it.</summary>
    public static bool IsWorking(string screen) => screen.Contains("esc to interrupt", StringComparison.OrdinalIgnoreCase);

    /// <summary>The keys that get past a first-run screen; null for the others.</summary>
    public static string[]? Answer(ClaudeCodeScreen screen) => screen switch
    {
        ClaudeCodeScreen.Theme or ClaudeCodeScreen.SecurityNotes => ["Enter"],
        ClaudeCodeScreen.TrustFolder => ["Down", "Enter"],
        _ => null,
    };

    // The input box: a line holding only the prompt glyph (a selection list shows "❯ text").
    [GeneratedRegex(@"^\s*[│|]?\s*[❯>][\s\u00a0]*[│|]?\s*$", RegexOptions.Multiline)]
    private static partial Regex EmptyPromptLine();

    // Or a horizontal rule directly above the ❯ line, which may hold a hint ("Resend your message to try again");
    // a selection list also marks its choice with ❯, but never right under a rule.
    [GeneratedRegex(@"^─{10,}[ \t]*\r?\n[ \t]*❯", RegexOptions.Multiline)]
    private static partial Regex InputBox();
}
