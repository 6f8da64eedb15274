using System.Text.Json.Nodes;
using LocalClaude.Traffic;

namespace LocalClaude.Tests.Traffic;

public sealed class PromptPrefixTests
{
    private static JsonObject Body(params JsonObject[] messages) => new()
    {
        ["system"] = new JsonArray(
            new JsonObject { ["type"] = "text", ["text"] = "x-anthropic-billing-header: cc_version=2.1.328.8f5;" },
            new JsonObject { ["type"] = "text", ["text"] = "You are Claude Code.", ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } }),
        ["tools"] = new JsonArray(new JsonObject { ["name"] = "Bash" }),
        ["messages"] = new JsonArray(messages.Select(m => (JsonNode)m.DeepClone()).ToArray()),
    };

    private static JsonObject Text(string role, string text, bool last = false) => new()
    {
        ["role"] = role,
        ["content"] = last
            ? new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text, ["cache_control"] = new JsonObject { ["type"] = "ephemeral" } })
            : JsonValue.Create(text),
    };

    [Fact]
    public void A_turn_that_only_appends_has_no_break_even_when_the_last_message_changes_form()
    {
        // Claude Code sends the last message as a cache_control'd block array, and the same message as a plain string next turn.
        var first = Body(Text("user", "hi", last: true));
        var second = Body(Text("user", "hi"), Text("assistant", "hello"), Text("user", "more", last: true));

        PromptPrefix.FirstDifference(first, second).Should().BeNull();
    }

    [Fact]
    public void A_changed_billing_header_is_named()
    {
        var first = Body(Text("user", "hi"));
        var second = Body(Text("user", "hi"), Text("user", "more"));
        second["system"]![0]!["text"] = "x-anthropic-billing-header: cc_version=2.1.328.a17;";

        PromptPrefix.FirstDifference(first, second).Should().Be("system[0] (billing header)");
    }

    [Fact]
    public void A_role_system_message_that_moved_is_named_with_its_position()
    {
        var first = Body(Text("user", "hi"), Text("system", "# Environment"));
        var second = Body(Text("user", "hi"), Text("assistant", "hello"), Text("system", "# Environment"), Text("user", "more"));

        PromptPrefix.FirstDifference(first, second).Should().Be("messages[1] (role assistant)");
    }

    [Fact]
    public void Changed_tools_and_dropped_messages_are_named()
    {
        var first = Body(Text("user", "hi"), Text("user", "more"));
        var fewerTools = Body(Text("user", "hi"), Text("user", "more"));
        fewerTools["tools"] = new JsonArray();
        var dropped = Body(Text("user", "hi"));

        PromptPrefix.FirstDifference(first, fewerTools).Should().Be("tools");
        PromptPrefix.FirstDifference(first, dropped).Should().Be("messages[1] (dropped)");
    }
}
