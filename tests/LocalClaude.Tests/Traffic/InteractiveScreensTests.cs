using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

/// <summary>Screens as tmux captured them from Claude Code 2.1.328 (trimmed).</summary>
public sealed class InteractiveScreensTests
{
    private const string Rule = "──────────────────────────────────────────────────────────────";

    [Theory]
    [InlineData(" Let's get started.\n\n Choose the text style that looks best with your terminal\n To change this later, run /theme\n\n ❯ ✔ Auto (match terminal)\n     Dark mode\n", InteractiveScreen.Theme)]
    [InlineData(" Security notes:\n 1. Claude can make mistakes.\n\n Press Enter to continue\n", InteractiveScreen.SecurityNotes)]
    [InlineData(" Accessing workspace:\n /w\n Quick safety check: Is this a project you created or one you trust?\n Security guide\n\n ❯ No, exit\n   Yes, I trust this folder\n\n Enter to confirm · Esc to cancel\n", InteractiveScreen.TrustFolder)]
    [InlineData(" ▐▛███▛█   Claude Code v2.1.328\n" + Rule + "\n❯ \n" + Rule + "\n  ⏵⏵ auto mode on (shift+tab to cycle)\n", InteractiveScreen.Prompt)]
    [InlineData("● API Error: …\n\n" + Rule + "\n❯ Resend your message to try again\n" + Rule + "\n", InteractiveScreen.Prompt)]
    [InlineData(" ▐▛███▛█   Claude Code v2.1.328\n   loading…\n", InteractiveScreen.Unknown)]
    public void Screens_are_recognised(string screen, InteractiveScreen expected) =>
        Assert.Equal(expected, InteractiveScreens.Classify(screen));

    [Fact]
    public void The_trust_screen_is_answered_yes_not_with_its_default()
    {
        Assert.Equal(["Down", "Enter"], InteractiveScreens.Answer(InteractiveScreen.TrustFolder)!);
        Assert.Equal(["Enter"], InteractiveScreens.Answer(InteractiveScreen.Theme)!);
        Assert.Null(InteractiveScreens.Answer(InteractiveScreen.Prompt));
    }
}
