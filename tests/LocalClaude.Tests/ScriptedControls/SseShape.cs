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
        Assert.DoesNotContain("\r", body);
        Assert.EndsWith("\n\n", body);
        var events = new List<Event>();
        foreach (var block in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0]);
            Assert.StartsWith("data: ", lines[1]);
            var name = lines[0]["event: ".Length..];
            var data = Assert.IsType<JsonObject>(JsonNode.Parse(lines[1]["data: ".Length..]));
            Assert.Equal(name, (string?)data["type"]);
            events.Add(new Event(name, data));
        }
        return events;
    }

    /// <summary>Checks the grammar and returns the assembled content blocks (text, or tool_use with its parsed input) and stop reason.</summary>
    public static (IReadOnlyList<JsonObject> Blocks, string StopReason) Assemble(IReadOnlyList<Event> events)
    {
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("message_stop", events[^1].Name);
        Assert.Equal("message_delta", events[^2].Name);
        var start = events[0].Data["message"]!;
        Assert.Empty(start["content"]!.AsArray());
        Assert.Null(start["stop_reason"]);
        Assert.True(start["usage"]!["input_tokens"]!.GetValue<int>() > 0);

        var blocks = new List<JsonObject>();
        var partial = new List<string>();
        int? open = null;
        foreach (var e in events.Skip(1).SkipLast(2))
        {
            switch (e.Name)
            {
                case "ping":
                    Assert.Null(open);
                    break;
                case "content_block_start":
                    Assert.Null(open);
                    var index = e.Data["index"]!.GetValue<int>();
                    Assert.Equal(blocks.Count, index); // contiguous, from 0, never reused
                    open = index;
                    blocks.Add(e.Data["content_block"]!.DeepClone().AsObject());
                    partial.Add("");
                    break;
                case "content_block_delta":
                    Assert.Equal(open, e.Data["index"]!.GetValue<int>());
                    var delta = e.Data["delta"]!;
                    var block = blocks[open!.Value];
                    switch ((string?)delta["type"])
                    {
                        case "text_delta":
                            Assert.Equal("text", (string?)block["type"]);
                            block["text"] = (string?)block["text"] + (string?)delta["text"];
                            break;
                        case "input_json_delta":
                            Assert.Equal("tool_use", (string?)block["type"]);
                            partial[open.Value] += (string?)delta["partial_json"];
                            break;
                        default:
                            Assert.Fail($"unexpected delta {delta.ToJsonString()}");
                            break;
                    }
                    break;
                case "content_block_stop":
                    Assert.Equal(open, e.Data["index"]!.GetValue<int>());
                    if ((string?)blocks[open!.Value]["type"] == "tool_use")
                        blocks[open.Value]["input"] = JsonNode.Parse(partial[open.Value]);
                    open = null;
                    break;
                default:
                    Assert.Fail($"unexpected event {e.Name}");
                    break;
            }
        }
        Assert.Null(open);
        var final = events[^2].Data;
        Assert.True(final["usage"]!["output_tokens"]!.GetValue<int>() > 0);
        return (blocks, (string)final["delta"]!["stop_reason"]!);
    }
}
