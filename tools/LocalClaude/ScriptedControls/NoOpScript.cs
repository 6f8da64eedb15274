namespace LocalClaude.ScriptedControls;

/// <summary>
/// CONTROL: an agent that does nothing. Every request ends the turn at once with a short text, so every task's
/// checker must fail against it; a task that passes under the no-op control has a checker that tests nothing.
/// </summary>
public sealed class NoOpScript(string text = "No-op control: doing nothing.") : IControlScript
{
    public string Name => "no-op";

    public ScriptedReply Reply(ScriptedRequest request) =>
        text.Length == 0 ? ScriptedReply.Empty() : ScriptedReply.Text(text);
}
