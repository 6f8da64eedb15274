using System.Text.Json.Nodes;

namespace LocalClaude.ScriptedControls;

/// <summary>
/// CONTROL for recording Claude Code's tool-round traffic: the first main-loop request is answered with a text
/// block and one tool call (Bash <c>{"command":"ls"}</c> unless told otherwise); any later request, which carries
/// the <c>tool_result</c>, gets a final text. Requests without tools (background calls) get a plain text.
/// </summary>
public sealed class ToolRoundScript : IControlScript
{
    public const string ToolUseId = "toolu_control_round_01";

    private readonly string _toolName;
    private readonly string _inputJson;
    private readonly string _preamble;
    private readonly string _finalText;

    public ToolRoundScript(string toolName = "Bash", JsonObject? input = null,
        string preamble = "Let me run a tool.", string finalText = "Tool round complete.")
    {
        _toolName = toolName;
        _inputJson = (input ?? new JsonObject { ["command"] = "ls" }).ToJsonString();
        _preamble = preamble;
        _finalText = finalText;
    }

    public string Name => "tool-round";

    public ScriptedReply Reply(ScriptedRequest request)
    {
        if (!request.HasTools) return ScriptedReply.Text("Control");
        return request.CompletedToolTurns == 0
            ? ScriptedReply.ToolCall(_preamble, new ToolUseReplyBlock(ToolUseId, _toolName, _inputJson))
            : ScriptedReply.Text(_finalText);
    }
}
