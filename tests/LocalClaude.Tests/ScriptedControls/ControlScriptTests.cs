using System.Text.Json.Nodes;
using LocalClaude.Agents;
using LocalClaude.ScriptedControls;

namespace LocalClaude.Tests.ScriptedControls;

public sealed class ControlScriptTests
{
    private static readonly OracleSolution TwoSteps = new(
        [
            new OracleStep("Write", """{"file_path":"{{WORKDIR}}/a.txt","content":"in {{WORKDIR}}"}"""),
            new OracleStep("Bash", """{"command":"cat a.txt"}"""),
        ],
        "Done in {{WORKDIR}}.");

    private static ScriptedRequest Request(JsonObject body, int number = 1) =>
        new(number, body, new Dictionary<string, string>());

    [Fact]
    public void The_oracle_plays_one_step_per_turn_from_the_number_of_tool_turns_so_far()
    {
        var oracle = new OracleScript(TwoSteps);

        var first = oracle.Reply(Request(ClaudeCodeShapedRequest.Build("/w/t1", completedToolTurns: 0)));
        var retried = oracle.Reply(Request(ClaudeCodeShapedRequest.Build("/w/t1", completedToolTurns: 0), number: 2));
        var second = oracle.Reply(Request(ClaudeCodeShapedRequest.Build("/w/t1", completedToolTurns: 1), number: 3));
        var last = oracle.Reply(Request(ClaudeCodeShapedRequest.Build("/w/t1", completedToolTurns: 2), number: 4));

        Assert.Equal(ScriptedReply.ToolUse, first.StopReason);
        var write = Assert.IsType<ToolUseReplyBlock>(first.Blocks[^1]);
        Assert.IsType<TextReplyBlock>(first.Blocks[0]);
        Assert.Equal("Write", write.Name);
        Assert.Equal("""{"file_path":"/w/t1/a.txt","content":"in /w/t1"}""", write.InputJson);
        Assert.Equal(first, retried); // a retry replays the step, it does not skip one
        var bash = Assert.IsType<ToolUseReplyBlock>(second.Blocks[^1]);
        Assert.Equal(("Bash", """{"command":"cat a.txt"}"""), (bash.Name, bash.InputJson));
        Assert.NotEqual(write.Id, bash.Id);
        Assert.Equal(ScriptedReply.Text("Done in /w/t1."), last);
    }

    [Fact]
    public void The_oracle_answers_background_calls_with_text_and_prefers_an_explicit_work_dir()
    {
        var fromRequest = new OracleScript(TwoSteps);
        var explicitDir = new OracleScript(TwoSteps, workDirectory: "/explicit/");

        var background = fromRequest.Reply(Request(ClaudeCodeShapedRequest.Build("/w", withTools: false)));
        var pinned = explicitDir.Reply(Request(ClaudeCodeShapedRequest.Build("/from/request")));
        var lost = fromRequest.Reply(Request(ClaudeCodeShapedRequest.Build(workDirectory: null)));

        Assert.Equal(ScriptedReply.EndTurn, background.StopReason);
        Assert.IsType<TextReplyBlock>(Assert.Single(background.Blocks));
        Assert.Contains("/explicit/a.txt", Assert.IsType<ToolUseReplyBlock>(pinned.Blocks[^1]).InputJson);
        Assert.Equal(ScriptedReply.EndTurn, lost.StopReason);
        Assert.Contains("does not say which directory", Assert.IsType<TextReplyBlock>(Assert.Single(lost.Blocks)).Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_work_dir_is_read_from_Claude_Codes_environment_message(bool asString)
    {
        var body = ClaudeCodeShapedRequest.Build("/tmp/run 1/work", environmentAsString: asString);

        Assert.Equal("/tmp/run 1/work", ClaudeCodePrompt.FindWorkingDirectory(body));
        Assert.Null(ClaudeCodePrompt.FindWorkingDirectory(ClaudeCodeShapedRequest.Build(null, environmentAsString: asString)));
    }

    [Fact]
    public void The_work_dir_is_also_found_in_an_older_env_block_of_the_system_prompt()
    {
        var body = new JsonObject
        {
            ["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Here is useful information:\n<env>\nWorking directory: /srv/w\nPlatform: linux\n</env>" }),
            ["messages"] = new JsonArray(),
        };

        Assert.Equal("/srv/w", ClaudeCodePrompt.FindWorkingDirectory(body));
    }

    [Fact]
    public void The_no_op_control_ends_the_turn_at_once()
    {
        var request = Request(ClaudeCodeShapedRequest.Build("/w", completedToolTurns: 0));

        var withText = new NoOpScript().Reply(request);
        var empty = new NoOpScript("").Reply(request);

        Assert.Equal(ScriptedReply.EndTurn, withText.StopReason);
        Assert.IsType<TextReplyBlock>(Assert.Single(withText.Blocks));
        Assert.Empty(empty.Blocks);
    }

    [Fact]
    public void The_tool_round_control_calls_one_tool_then_answers_the_tool_result()
    {
        var round = new ToolRoundScript();
        var custom = new ToolRoundScript("Read", new JsonObject { ["file_path"] = "/etc/hostname" });

        var first = round.Reply(Request(ClaudeCodeShapedRequest.Build("/w")));
        var followUp = round.Reply(Request(ClaudeCodeShapedRequest.Build("/w", completedToolTurns: 1)));
        var customFirst = custom.Reply(Request(ClaudeCodeShapedRequest.Build("/w")));

        Assert.Equal(ScriptedReply.ToolUse, first.StopReason);
        Assert.Collection(first.Blocks,
            b => Assert.IsType<TextReplyBlock>(b),
            b => Assert.Equal(new ToolUseReplyBlock(ToolRoundScript.ToolUseId, "Bash", """{"command":"ls"}"""), b));
        Assert.Equal(ScriptedReply.Text("Tool round complete."), followUp);
        Assert.Equal("""{"file_path":"/etc/hostname"}""", Assert.IsType<ToolUseReplyBlock>(customFirst.Blocks[^1]).InputJson);
    }
}
