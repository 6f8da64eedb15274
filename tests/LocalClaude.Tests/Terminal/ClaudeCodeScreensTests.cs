using LocalClaude.Agents;

namespace LocalClaude.Tests.Traffic;

/// <summary>Screens as tmux captured them from Claude Code 2.1.328 (trimmed).</summary>
public sealed class ClaudeCodeScreensTests
{
    private const string Rule = "──────────────────────────────────────────────────────────────";

    [Theory]
    [InlineData(" Let's get started.\n\n Choose the text style that looks best with your terminal\n To change this later, run /theme\n\n ❯ ✔ Auto (match terminal)\n     Dark mode\n", ClaudeCodeScreen.Theme)]
    [InlineData(" Security notes:\n 1. Claude can make mistakes.\n\n Press Enter to continue\n", ClaudeCodeScreen.SecurityNotes)]
    [InlineData(" Accessing workspace:\n /w\n Quick safety check: Is this a project you created or one you trust?\n Security guide\n\n ❯ No, exit\n   Yes, I trust this folder\n\n Enter to confirm · Esc to cancel\n", ClaudeCodeScreen.TrustFolder)]
    [InlineData(" ▐▛███▛█   Claude Code v2.1.328\n" + Rule + "\n❯ \n" + Rule + "\n  ⏵⏵ auto mode on (shift+tab to cycle)\n", ClaudeCodeScreen.Prompt)]
    [InlineData("● API Error: …\n\n" + Rule + "\n❯ Resend your message to try again\n" + Rule + "\n", ClaudeCodeScreen.Prompt)]
    [InlineData(" ▐▛███▛█   Claude Code v2.1.328\n   loading…\n", ClaudeCodeScreen.Unknown)]
    public void Screens_are_recognised(string screen, ClaudeCodeScreen expected) =>
        Assert.Equal(expected, ClaudeCodeScreens.Classify(screen));

    [Fact]
    public void The_trust_screen_is_answered_yes_not_with_its_default()
    {
        Assert.Equal(["Down", "Enter"], ClaudeCodeScreens.Answer(ClaudeCodeScreen.TrustFolder)!);
        Assert.Equal(["Enter"], ClaudeCodeScreens.Answer(ClaudeCodeScreen.Theme)!);
        Assert.Null(ClaudeCodeScreens.Answer(ClaudeCodeScreen.Prompt));
    }
}
