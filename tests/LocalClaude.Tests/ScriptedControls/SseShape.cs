using System.Text.Json.Nodes;

namespace LocalClaude.Tests.ScriptedControls;

/// <summary>
/// A deliberately simple reading of an Anthropic SSE stream for these tests: split on blank lines, pair each
/// <c>event:</c> with its <c>data:</c>, and check the event grammar the spec and Claude Code rely on.
/// </summary>
internal static class SseShape
{
    public sealed record Event(string Name, JsonObject Data);

    public static IReadOnlyList<Event> Parse(string body)
    {
        body.Should().NotContain("\r");
        body.Should().EndWith("\n\n");
        var events = new List<Event>();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            lines.Length.Should().Be(2);
            lines[0].Should().StartWith("event: ");
            lines[1].Should().StartWith("data: ");
            var name = lines[0]["event: ".Length..];
            var data = JsonNode.Parse(lines[1]["data: ".Length..]).Should().BeOfType<JsonObject>().Which;
            ((string?)data["type"]).Should().Be(name);
            events.Add(new Event(name, data));
        }
        return events;
    }

    /// <summary>Checks the grammar and returns the assembled content blocks (text, or tool_use with its parsed input) and stop reason.</summary>
    public static (IReadOnlyList<JsonObject> Blocks, string StopReason) Assemble(IReadOnlyList<Event> events)
    {
        events[0].Name.Should().Be("message_start");
        events[^1].Name.Should().Be("message_stop");
        events[^2].Name.Should().Be("message_delta");
        var start = events[0].Data["message"]!;
        start["content"]!.AsArray().Should().BeEmpty();
        start["stop_reason"].Should().BeNull();
        (start["usage"]!["input_tokens"]!.GetValue<int>() > 0).Should().BeTrue();

        var blocks = new List<JsonObject>();
        var partial = new List<string>();
        int? open = null;
        foreach (var e in events.Skip(1).SkipLast(2))
        {
            switch (e.Name)
            {
                case "ping":
                    open.Should().BeNull();
                    break;
                case "content_block_start":
                    open.Should().BeNull();
                    var index = e.Data["index"]!.GetValue<int>();
                    index.Should().Be(blocks.Count); // contiguous, from 0, never reused
                    open = index;
                    blocks.Add(e.Data["content_block"]!.DeepClone().AsObject());
                    partial.Add("");
                    break;
                case "content_block_delta":
                    ((int?)(e.Data["index"]!.GetValue<int>())).Should().Be(open);
                    var delta = e.Data["delta"]!;
                    var block = blocks[open!.Value];
                    switch ((string?)delta["type"])
                    {
                        case "text_delta":
                            ((string?)block["type"]).Should().Be("text");
                            block["text"] = (string?)block["text"] + (string?)delta["text"];
                            break;
                        case "input_json_delta":
                            ((string?)block["type"]).Should().Be("tool_use");
                            partial[open.Value] += (string?)delta["partial_json"];
                            break;
                        default:
                            Assert.Fail($"unexpected delta {delta.ToJsonString()}");
                            break;
                    }
                    break;
                case "content_block_stop":
                    ((int?)(e.Data["index"]!.GetValue<int>())).Should().Be(open);
                    if ((string?)blocks[open!.Value]["type"] == "tool_use")
                        blocks[open.Value]["input"] = JsonNode.Parse(partial[open.Value]);
                    open = null;
                    break;
                default:
                    Assert.Fail($"unexpected event {e.Name}");
                    break;
            }
        }
        open.Should().BeNull();
        var final = events[^2].Data;
        (final["usage"]!["output_tokens"]!.GetValue<int>() > 0).Should().BeTrue();
        return (blocks, (string)final["delta"]!["stop_reason"]!);
    }
}
