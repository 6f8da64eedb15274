using System.Text.Json.Nodes;
using LocalClaude.Protocol;
using LocalClaude.ScriptedControls;

namespace LocalClaude.Tests.ScriptedControls;

/// <summary>The control's SSE output, judged by the project's full stream validator.</summary>
public sealed class ScriptedReplyStreamTests
{
    public static TheoryData<string> ReplyShapes() => new(Shapes.Keys);

    private static readonly IReadOnlyDictionary<string, ScriptedReply> Shapes = new Dictionary<string, ScriptedReply>
    {
        ["text"] = ScriptedReply.Text("Hello — naïve 😀 \"quoted\"\n"),
        ["tool-only"] = new([ToolUseReplyBlock.Create("toolu_a", "Bash", new JsonObject { ["command"] = "ls -la" })], ScriptedReply.ToolUse),
        ["text-then-tool"] = ScriptedReply.ToolCall("Step 1.", ToolUseReplyBlock.Create("toolu_b", "Write",
            new JsonObject { ["file_path"] = "/w/a.txt", ["content"] = "line 1\nline 2 ✓\n" })),
        ["two-tools"] = new([
            new TextReplyBlock("Two at once."),
            ToolUseReplyBlock.Create("toolu_c", "Read", new JsonObject { ["file_path"] = "/w/a" }),
            ToolUseReplyBlock.Create("toolu_d", "Read", new JsonObject { ["file_path"] = "/w/b" }),
        ], ScriptedReply.ToolUse),
        ["empty-tool-input"] = new([ToolUseReplyBlock.Create("toolu_e", "ListAgents", new JsonObject())], ScriptedReply.ToolUse),
    };

    [Fact]
    public void An_empty_reply_is_only_the_deviation_the_real_API_also_shows()
    {
        // The API itself can answer end_turn with no content; the validator notes it as a non-blocking deviation.
        var wire = string.Concat(ScriptedReplyRendering.ToStreamEvents(ScriptedReply.Empty(), "msg_control_0001", "control", 10).Select(e => e.ToWireFormat()));

        var result = AnthropicStreamValidator.Validate(wire);

        var finding = result.Findings.Should().ContainSingle().Which;
        finding.Id.Should().Be("message.no-content");
        result.HasBlockingFindings.Should().BeFalse();
        result.Message.StopReason.Should().Be("end_turn");
    }

    [Theory]
    [MemberData(nameof(ReplyShapes))]
    public void Every_reply_shape_streams_without_any_finding(string shape)
    {
        var reply = Shapes[shape];
        var wire = string.Concat(ScriptedReplyRendering.ToStreamEvents(reply, "msg_control_0001", "control", 1234).Select(e => e.ToWireFormat()));

        var result = AnthropicStreamValidator.Validate(wire);

        (result.Findings.Count == 0).Should().BeTrue(string.Join("\n", result.Findings));
        result.Message.StopReason.Should().Be(reply.StopReason);
        result.Message.Text.Should().Be(string.Concat(reply.Blocks.OfType<TextReplyBlock>().Select(b => b.Text)));
        result.Message.ToolUses.Select(u => (u.Id!, u.Name!, JsonNode.Parse(u.InputJson)!.ToJsonString())).Should().Equal(reply.Blocks.OfType<ToolUseReplyBlock>().Select(b => (b.Id, b.Name, JsonNode.Parse(b.InputJson)!.ToJsonString())));
    }
}
