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

        first.StopReason.Should().Be(ScriptedReply.ToolUse);
        var write = first.Blocks[^1].Should().BeOfType<ToolUseReplyBlock>().Which;
        first.Blocks[0].Should().BeOfType<TextReplyBlock>();
        write.Name.Should().Be("Write");
        write.InputJson.Should().Be("""{"file_path":"/w/t1/a.txt","content":"in /w/t1"}""");
        retried.Should().Be(first); // a retry replays the step, it does not skip one
        var bash = second.Blocks[^1].Should().BeOfType<ToolUseReplyBlock>().Which;
        (((string, string))((bash.Name, bash.InputJson))).Should().Be(("Bash", """{"command":"cat a.txt"}"""));
        bash.Id.Should().NotBe(write.Id);
        last.Should().Be(ScriptedReply.Text("Done in /w/t1."));
    }

    [Fact]
    public void The_oracle_answers_background_calls_with_text_and_prefers_an_explicit_work_dir()
    {
        var fromRequest = new OracleScript(TwoSteps);
        var explicitDir = new OracleScript(TwoSteps, workDirectory: "/explicit/");

        var background = fromRequest.Reply(Request(ClaudeCodeShapedRequest.Build("/w", withTools: false)));
        var pinned = explicitDir.Reply(Request(ClaudeCodeShapedRequest.Build("/from/request")));
        var lost = fromRequest.Reply(Request(ClaudeCodeShapedRequest.Build(workDirectory: null)));

        background.StopReason.Should().Be(ScriptedReply.EndTurn);
        background.Blocks.Should().ContainSingle().Which.Should().BeOfType<TextReplyBlock>();
        pinned.Blocks[^1].Should().BeOfType<ToolUseReplyBlock>().Which.InputJson.Should().Contain("/explicit/a.txt");
        lost.StopReason.Should().Be(ScriptedReply.EndTurn);
        lost.Blocks.Should().ContainSingle().Which.Should().BeOfType<TextReplyBlock>().Which.Text.Should().Contain("does not say which directory");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_work_dir_is_read_from_Claude_Codes_environment_message(bool asString)
    {
        var body = ClaudeCodeShapedRequest.Build("/tmp/run 1/work", environmentAsString: asString);

        ClaudeCodePrompt.FindWorkingDirectory(body).Should().Be("/tmp/run 1/work");
        ClaudeCodePrompt.FindWorkingDirectory(ClaudeCodeShapedRequest.Build(null, environmentAsString: asString)).Should().BeNull();
    }

    [Fact]
    public void The_work_dir_is_also_found_in_an_older_env_block_of_the_system_prompt()
    {
        var body = new JsonObject
        {
            ["system"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "Here is useful information:\n<env>\nWorking directory: /srv/w\nPlatform: linux\n</env>" }),
            ["messages"] = new JsonArray(),
        };

        ClaudeCodePrompt.FindWorkingDirectory(body).Should().Be("/srv/w");
    }

    [Fact]
    public void The_no_op_control_ends_the_turn_at_once()
    {
        var request = Request(ClaudeCodeShapedRequest.Build("/w", completedToolTurns: 0));

        var withText = new NoOpScript().Reply(request);
        var empty = new NoOpScript("").Reply(request);

        withText.StopReason.Should().Be(ScriptedReply.EndTurn);
        withText.Blocks.Should().ContainSingle().Which.Should().BeOfType<TextReplyBlock>();
        empty.Blocks.Should().BeEmpty();
    }

    [Fact]
    public void The_tool_round_control_calls_one_tool_then_answers_the_tool_result()
    {
        var round = new ToolRoundScript();
        var custom = new ToolRoundScript("Read", new JsonObject { ["file_path"] = "/etc/hostname" });

        var first = round.Reply(Request(ClaudeCodeShapedRequest.Build("/w")));
        var followUp = round.Reply(Request(ClaudeCodeShapedRequest.Build("/w", completedToolTurns: 1)));
        var customFirst = custom.Reply(Request(ClaudeCodeShapedRequest.Build("/w")));

        first.StopReason.Should().Be(ScriptedReply.ToolUse);
        first.Blocks.Should().SatisfyRespectively(b => b.Should().BeOfType<TextReplyBlock>(), b => b.Should().Be(new ToolUseReplyBlock(ToolRoundScript.ToolUseId, "Bash", """{"command":"ls"}""")));
        followUp.Should().Be(ScriptedReply.Text("Tool round complete."));
        customFirst.Blocks[^1].Should().BeOfType<ToolUseReplyBlock>().Which.InputJson.Should().Be("""{"file_path":"/etc/hostname"}""");
    }
}
