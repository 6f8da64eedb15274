using System.Text.RegularExpressions;

namespace LocalClaude.Traffic;

/// <summary>What Claude Code 2.1.328's interactive screen shows, read from a tmux capture.</summary>
public enum InteractiveScreen
{
    Unknown,
    /// <summary>First run: "Choose the text style…" (Enter keeps the default).</summary>
    Theme,
    /// <summary>First run: "Security notes … Press Enter to continue".</summary>
    SecurityNotes,
    /// <summary>"Is this a project you created or one you trust?"; the default is "No, exit": Down, then Enter.</summary>
    TrustFolder,
    /// <summary>The input box (a rule, then the <c>❯</c> line, possibly with a hint text in it): ready for the next turn.</summary>
    Prompt,
}

public static partial class InteractiveScreens
{
    public static InteractiveScreen Classify(string screen)
    {
        if (screen.Contains("Choose the text style", StringComparison.Ordinal)) return InteractiveScreen.Theme;
        if (screen.Contains("Security notes", StringComparison.Ordinal) && screen.Contains("Press Enter to continue", StringComparison.Ordinal))
            return InteractiveScreen.SecurityNotes;
        if (screen.Contains("trust this folder", StringComparison.OrdinalIgnoreCase)) return InteractiveScreen.TrustFolder;
        if (InputBox().IsMatch(screen)) return InteractiveScreen.Prompt;
        return InteractiveScreen.Unknown;
    }

    /// <summary>The keys that answer a first-run screen with the choice a recording needs; null for other screens.</summary>
    public static string[]? Answer(InteractiveScreen screen) => screen switch
    {
        InteractiveScreen.Theme => ["Enter"],
        InteractiveScreen.SecurityNotes => ["Enter"],
        InteractiveScreen.TrustFolder => ["Down", "Enter"],
        _ => null,
    };

    // The input box: a horizontal rule directly above the ❯ line. A selection list also marks its choice with ❯, but
    // never right under a rule; the input line may hold a hint ("Resend your message to try again").
    [GeneratedRegex(@"^─{10,}[ \t]*\r?\n[ \t]*❯", RegexOptions.Multiline)]
    private static partial Regex InputBox();
}
