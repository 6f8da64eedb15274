using LocalClaude.Infrastructure;
using LocalClaude.Terminal;

namespace LocalClaude.Tests.Terminal;

/// <summary>
/// The screen recogniser on real captures: fixtures/screens/claude-code-2.1.328.txt holds what tmux's capture-pane
/// showed when the pinned Claude Code ran once under tmux (fresh HOME, the local-backend environment, a closed port and
/// then a scripted responder; once with an API key set), and the inline screens below are trimmed captures of the same.
/// </summary>
public sealed class ClaudeCodeScreensTests
{
    private const string Rule = "──────────────────────────────────────────────────────────────";
    private const string Asked = "Say hello in one word.";

    [Theory]
    [InlineData(" Let's get started.\n\n Choose the text style that looks best with your terminal\n To change this later, run /theme\n\n ❯ ✔ Auto (match terminal)\n     Dark mode\n", ClaudeCodeScreen.Theme)]
    [InlineData(" Security notes:\n 1. Claude can make mistakes.\n\n Press Enter to continue\n", ClaudeCodeScreen.SecurityNotes)]
    [InlineData(" Accessing workspace:\n /w\n Quick safety check: Is this a project you created or one you trust?\n Security guide\n\n ❯ No, exit\n   Yes, I trust this folder\n\n Enter to confirm · Esc to cancel\n", ClaudeCodeScreen.TrustFolder)]
    [InlineData(" ▐▛███▛█   Claude Code v2.1.328\n" + Rule + "\n❯ \n" + Rule + "\n  ⏵⏵ auto mode on (shift+tab to cycle)\n", ClaudeCodeScreen.Prompt)]
    [InlineData("● API Error: …\n\n" + Rule + "\n❯ Resend your message to try again\n" + Rule + "\n", ClaudeCodeScreen.Prompt)]
    [InlineData(" ▐▛███▛█   Claude Code v2.1.328\n   loading…\n", ClaudeCodeScreen.Unknown)]
    public void Screens_are_recognised(string screen, ClaudeCodeScreen expected) =>
        ClaudeCodeScreens.Classify(screen).Should().Be(expected);

    [Theory]
    [InlineData("theme", ClaudeCodeScreen.Theme, false, null)]
    [InlineData("security-notes", ClaudeCodeScreen.SecurityNotes, false, null)]
    [InlineData("trust-folder", ClaudeCodeScreen.TrustFolder, false, null)]
    [InlineData("trust-folder-yes-selected", ClaudeCodeScreen.TrustFolder, false, null)]
    [InlineData("api-key", ClaudeCodeScreen.ApiKey, false, null)]
    [InlineData("api-key-yes-selected", ClaudeCodeScreen.ApiKey, false, null)]
    [InlineData("prompt-empty", ClaudeCodeScreen.Prompt, false, "")]
    [InlineData("prompt-typed", ClaudeCodeScreen.Prompt, false, Asked)]
    [InlineData("working-retrying", ClaudeCodeScreen.Prompt, true, "")]
    [InlineData("working-retrying-later", ClaudeCodeScreen.Prompt, true, "")]
    [InlineData("answered", ClaudeCodeScreen.Prompt, false, "")]
    [InlineData("slash-menu", ClaudeCodeScreen.Prompt, false, "/exit")]
    [InlineData("interrupted", ClaudeCodeScreen.Prompt, false, Asked)]
    [InlineData("exited", ClaudeCodeScreen.Unknown, false, null)]
    [InlineData("unable-to-connect", ClaudeCodeScreen.Unknown, false, null)]
    public void Captured_screens_are_recognised(string name, ClaudeCodeScreen kind, bool working, string? inputText)
    {
        var screen = Captured(name);
        ClaudeCodeScreens.Classify(screen).Should().Be(kind);
        ClaudeCodeScreens.IsWorking(screen).Should().Be(working);
        ClaudeCodeScreens.InputText(screen).Should().Be(inputText);
    }

    [Theory]
    [InlineData("answered", true)]
    // The status line's "● high · /effort" shows before any answer: it is no answer.
    [InlineData("prompt-empty", false)]
    // Typed but not sent: the prompt sits in the input box, nothing below it answers.
    [InlineData("prompt-typed", false)]
    [InlineData("working-retrying", false)]
    [InlineData("interrupted", false)]
    public void An_answer_counts_only_below_the_submitted_prompt(string name, bool answered) =>
        ClaudeCodeScreens.HasAnswer(Captured(name), Asked).Should().Be(answered);

    [Theory]
    [InlineData("theme", "Enter")]
    [InlineData("security-notes", "Enter")]
    // The default is "No, exit": move to Yes first, confirm only once Yes shows selected.
    [InlineData("trust-folder", "Down")]
    [InlineData("trust-folder-yes-selected", "Enter")]
    // The default is "No (recommended)": the caller put the key there, so Yes.
    [InlineData("api-key", "Up")]
    [InlineData("api-key-yes-selected", "Enter")]
    [InlineData("prompt-empty", null)]
    [InlineData("answered", null)]
    [InlineData("exited", null)]
    public void First_run_screens_are_answered_one_step_at_a_time_by_what_is_selected(string name, string? key)
    {
        var screen = Captured(name);
        ClaudeCodeScreens.Answer(ClaudeCodeScreens.Classify(screen), screen).Should().Equal(key is null ? null : [key]);
    }

    [Fact]
    public void The_fixture_holds_each_screen_once() =>
        Screens().Count.Should().Be(15);

    private static string Captured(string name) =>
        Screens().TryGetValue(name, out var screen) ? screen : throw new KeyNotFoundException($"no screen '{name}' in {FixturePath}");

    private static readonly string FixturePath = Path.Combine(RepoLayout.Find(AppContext.BaseDirectory).Fixtures, "screens", "claude-code-2.1.328.txt");

    /// <summary>The fixture's screens by name: each follows a line <c>=== NAME ===</c>; lines starting with # before the first are notes.</summary>
    private static Dictionary<string, string> Screens()
    {
        var screens = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        var lines = new List<string>();
        foreach (var line in File.ReadAllLines(FixturePath).Append("=== end ==="))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal) && line.EndsWith(" ===", StringComparison.Ordinal))
            {
                if (name is not null) screens.Add(name, string.Join('\n', lines) + "\n");
                name = line[4..^4];
                lines.Clear();
            }
            else if (name is not null) lines.Add(line);
        }
        return screens;
    }
}
