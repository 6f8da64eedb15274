using System.Text.RegularExpressions;

namespace LocalClaude.Agents;

/// <summary>What Claude Code 2.1.328's interactive UI shows, read from a screen capture.</summary>
public enum ClaudeCodeScreen
{
    Unknown,
    /// <summary>First run: "Choose the text style…"; Enter keeps the default.</summary>
    Theme,
    /// <summary>First run: "Security notes … Press Enter to continue".</summary>
    SecurityNotes,
    /// <summary>"Do you trust the files in this folder?"; the highlighted default exits, so move to "Yes" first.</summary>
    TrustFolder,
    /// <summary>The empty input line: ready for a prompt.</summary>
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
        if (EmptyPromptLine().IsMatch(screen)) return ClaudeCodeScreen.Prompt;
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
}
