using LocalClaude.Agents;

namespace LocalClaude.ScriptedControls;

/// <summary>
/// CONTROL: plays one task's <see cref="OracleSolution"/>. Each main-loop request gets the next step as a tool
/// call (after a short text) with <c>stop_reason: tool_use</c>; after the last step, the final text with
/// <c>end_turn</c>. The step is the number of assistant tool-call turns already in the conversation, so a
/// retried request replays the same step instead of skipping one. Requests without tools get a plain text.
/// </summary>
public sealed class OracleScript : IControlScript
{
    private readonly OracleSolution _solution;
    private readonly string? _workDirectory;

    /// <param name="workDirectory">The work dir for <c>{{WORKDIR}}</c>; when null it is read from each request's prompt.</param>
    public OracleScript(OracleSolution solution, string? workDirectory = null)
    {
        _solution = solution;
        _workDirectory = workDirectory;
    }

    public string Name => "oracle";

    public ScriptedReply Reply(ScriptedRequest request)
    {
        if (!request.HasTools) return ScriptedReply.Text("Oracle control.");
        var workDirectory = _workDirectory ?? request.WorkingDirectory;
        if (workDirectory is null)
            return ScriptedReply.Text("Oracle control: the request does not say which directory to work in; giving up.");

        var step = request.CompletedToolTurns;
        if (step >= _solution.Steps.Count) return ScriptedReply.Text(_solution.FinalTextFor(workDirectory));
        var call = _solution.Steps[step];
        return ScriptedReply.ToolCall(
            $"Step {step + 1} of {_solution.Steps.Count}: {call.Tool}.",
            ToolUseReplyBlock.Create($"toolu_oracle_{step + 1:D2}", call.Tool, call.InputFor(workDirectory)));
    }
}
